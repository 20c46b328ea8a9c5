// Entry point of the Pulumi program. Wiring lands with the planner/components issue.
export {};
