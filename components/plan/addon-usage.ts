import { AddonSnapshot, AppSnapshot, AttachmentSnapshot } from "../heroku/snapshot";
import { allowedDispositions, defaultDisposition } from "./addon-catalog";
import { ConfigVarClassification } from "./config-vars";
import { SecretTemplate } from "../heroku/secret-template";
import { AddonOverride, Disposition, PlanSettings } from "./settings";
import { compareStrings, Findings } from "./warnings";

/** One attachment of an add-on on an app being migrated, with the config keys it owns there. */
export interface AddonUse {
  app: string;
  snapshot: AppSnapshot;
  attachment: AttachmentSnapshot;
  /** Config keys this attachment owns on `app`, sorted. */
  vars: string[];
}

/** An add-on and every use of it across the snapshot set (a shared add-on appears once). */
export interface AddonUsage {
  addon: AddonSnapshot;
  disposition: Disposition;
  override: AddonOverride | undefined;
  /** Sorted: the billing app's uses first, then by app and attachment name. */
  uses: AddonUse[];
  /** Apps whose snapshot lists the add-on (attached there or billed there), sorted. */
  listedBy: string[];
  /**
   * Attachments on apps outside the snapshot set, from the add-on's own list (sorted by app and
   * name): apps that keep using the add-on on Heroku while this stack moves it. Empty when the list
   * is not known (`addon.attachmentsFrom` is not `addon`).
   */
  outsideUses: { app: string; attachment: string }[];
  /** True when the billing app is not in the snapshot set: the add-on is another app's. */
  ownedOutside: boolean;
}

/** How much a snapshot's view of an add-on knows about its attachments: the best view is kept. */
const VIEW_RANK: Record<AddonSnapshot["attachmentsFrom"], number> = { addon: 2, hidden: 1, app: 0 };

function betterView(current: AddonSnapshot, candidate: AddonSnapshot, readingAppId: string): boolean {
  const a = VIEW_RANK[current.attachmentsFrom];
  const b = VIEW_RANK[candidate.attachmentsFrom];
  // Among equally informed views the billing app's (its configVarNames are the owning app's).
  return b > a || (b === a && candidate.billingApp.id === readingAppId);
}

function placeholderAddon(attachment: AttachmentSnapshot): AddonSnapshot {
  return {
    id: attachment.addon.id,
    name: attachment.addon.name,
    service: attachment.addon.service,
    plan: "unknown",
    billingApp: { id: "", name: "" },
    configVarNames: [],
    state: "provisioned",
    attachments: [],
    attachmentsFrom: "app",
  };
}

/**
 * Groups every attachment of every app by add-on and resolves each add-on's disposition: the
 * catalog's, or `settings.addons[<name>].disposition`. Throws, naming the settings key, for an
 * override of an add-on that no app has or a disposition the add-on's service cannot take.
 */
export function collectAddonUsage(
  snapshots: AppSnapshot[],
  classifications: Map<string, ConfigVarClassification>,
  settings: PlanSettings,
  findings: Findings,
): AddonUsage[] {
  const byId = new Map<string, { addon: AddonSnapshot; uses: AddonUse[]; listedBy: Set<string> }>();
  for (const snapshot of snapshots) {
    const app = snapshot.app.name;
    const classification = classifications.get(app);
    for (const attachment of snapshot.attachments) {
      let addon = snapshot.addons.find((a) => a.id === attachment.addon.id);
      if (!addon) {
        findings.warned(
          app,
          "attachment",
          attachment.name,
          "addon-not-in-snapshot",
          `attachment ${attachment.name} names add-on ${attachment.addon.name}, which the snapshot's add-on list ` +
            `lacks; its config vars are kept as they are.`,
        );
        addon = placeholderAddon(attachment);
      }
      const entry = byId.get(addon.id) ?? { addon, uses: [], listedBy: new Set<string>() };
      if (betterView(entry.addon, addon, snapshot.app.id)) entry.addon = addon;
      entry.uses.push({
        app,
        snapshot,
        attachment,
        vars: classification?.byAttachment.get(attachment.id) ?? [],
      });
      byId.set(addon.id, entry);
    }
    for (const addon of snapshot.addons) {
      const entry = byId.get(addon.id) ?? { addon, uses: [], listedBy: new Set<string>() };
      if (betterView(entry.addon, addon, snapshot.app.id)) entry.addon = addon;
      entry.listedBy.add(app);
      byId.set(addon.id, entry);
    }
  }

  const apps = new Set(snapshots.map((s) => s.app.name));
  const names = new Set([...byId.values()].map((e) => e.addon.name));
  for (const name of Object.keys(settings.addons).sort(compareStrings)) {
    if (!names.has(name)) {
      throw new Error(
        `addons.${name}: no app in the snapshots has an add-on named ${name}` +
          (names.size ? ` (add-ons: ${[...names].sort(compareStrings).join(", ")})` : ""),
      );
    }
  }

  const usages = [...byId.values()].map(({ addon, uses, listedBy }): AddonUsage => {
    const override = settings.addons[addon.name];
    const disposition = override?.disposition ?? defaultDisposition(addon.service);
    const allowed = allowedDispositions(addon.service);
    if (!allowed.includes(disposition)) {
      throw new Error(
        `addons.${addon.name}.disposition: ${disposition} is not possible for a ${addon.service} add-on ` +
          `(allowed: ${allowed.join(", ")})`,
      );
    }
    const billing = addon.billingApp.name;
    uses.sort(
      (a, b) =>
        Number(b.app === billing) - Number(a.app === billing) ||
        compareStrings(a.app, b.app) ||
        compareStrings(a.attachment.name, b.attachment.name),
    );
    const outsideUses =
      addon.attachmentsFrom === "addon"
        ? addon.attachments
            .filter((a) => !apps.has(a.app.name))
            .map((a) => ({ app: a.app.name, attachment: a.name }))
            .sort((x, y) => compareStrings(x.app, y.app) || compareStrings(x.attachment, y.attachment))
        : [];
    return {
      addon,
      disposition,
      override,
      uses,
      listedBy: [...listedBy].sort(compareStrings),
      outsideUses,
      // An attachment-only placeholder knows no billing app: nothing to say about it.
      ownedOutside: addon.billingApp.name !== "" && !apps.has(addon.billingApp.name),
    };
  });
  return usages.sort((a, b) => compareStrings(a.addon.name, b.addon.name));
}

/** Per app, per config key: the value that replaces Heroku's (a rewritten URL). */
export type Rewrites = Map<string, Map<string, SecretTemplate>>;

export function setRewrite(rewrites: Rewrites, app: string, key: string, value: SecretTemplate): void {
  const forApp = rewrites.get(app) ?? new Map();
  forApp.set(key, value);
  rewrites.set(app, forApp);
}
