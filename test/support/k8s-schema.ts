/**
 * Validates Kubernetes objects against the Kubernetes OpenAPI schema, using the validators npm
 * `kubernetes-models` generates from it (Kubernetes 1.27). Dispatches on apiVersion/kind; an object
 * of a kind not listed here fails loudly instead of passing unchecked.
 *
 * The generated schema allows unknown fields (Kubernetes' OpenAPI does not forbid them); misspelled
 * fields are caught earlier by the typed `@pulumi/kubernetes` inputs the components are written with.
 */
import { Deployment } from "kubernetes-models/apps/v1";
import { CronJob, Job } from "kubernetes-models/batch/v1";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1";
import { Namespace, PersistentVolumeClaim, Secret, Service } from "kubernetes-models/v1";

interface Validatable {
  validate(): void;
}

const MODELS: Record<string, new (data: never) => Validatable> = {
  "apps/v1/Deployment": Deployment,
  "batch/v1/Job": Job,
  "batch/v1/CronJob": CronJob,
  "networking.k8s.io/v1/Ingress": Ingress,
  "v1/Namespace": Namespace,
  "v1/PersistentVolumeClaim": PersistentVolumeClaim,
  "v1/Secret": Secret,
  "v1/Service": Service,
};

/** Throws with the object's kind, name and the schema violation when `obj` is not a valid object. */
export function validateK8sObject(obj: Record<string, unknown>): void {
  const key = `${String(obj.apiVersion)}/${String(obj.kind)}`;
  const Model = MODELS[key];
  const metadata = (obj.metadata ?? {}) as { name?: string };
  if (!Model) throw new Error(`no schema validator registered for ${key}`);
  try {
    new Model(obj as never).validate();
  } catch (e) {
    throw new Error(`${key} ${metadata.name ?? "(auto-named)"} is not valid: ${(e as Error).message}`, {
      cause: e,
    });
  }
}
