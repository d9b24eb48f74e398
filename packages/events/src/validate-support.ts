// Tiny helpers for the hand-written shape checks. They run on the ingress hot path for every request, so
// they walk the parsed JSON once, allocate nothing on success, and stop at the first problem.

export type JsonObject = Record<string, unknown>;

export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Thrown inside a walk and caught at its top; carries the path of the first problem. */
export class ShapeProblem {
  readonly message: string;
  constructor(path: string, expected: string) {
    this.message = `${path}: expected ${expected}`;
  }
}

export function requireObject(value: unknown, path: string): JsonObject {
  if (!isObject(value)) throw new ShapeProblem(path, 'object');
  return value;
}

export function requireArray(value: unknown, path: string): unknown[] {
  if (!Array.isArray(value)) throw new ShapeProblem(path, 'array');
  return value;
}

/** Absent (undefined) is fine; anything else must be an array. */
export function optionalArray(value: unknown, path: string): unknown[] | undefined {
  if (value === undefined) return undefined;
  return requireArray(value, path);
}

export function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') throw new ShapeProblem(path, 'string');
  return value;
}

export function requireNonEmptyString(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) throw new ShapeProblem(path, 'non-empty string');
  return value;
}

export function requireStringOrNumber(value: unknown, path: string): void {
  if (typeof value !== 'string' && !(typeof value === 'number' && Number.isFinite(value))) {
    throw new ShapeProblem(path, 'string or number');
  }
}
