export * from "./app-image";
export * from "./config";
export * from "./registry-client";
export * from "./slug-context";
export * from "./slug-fetch";
