import type { Result } from "ethers";

/** A struct returned by a contract call as a plain object, to spread and modify before sending it back. */
export function plain<T>(output: T): Record<string, unknown> {
  return (output as unknown as Result).toObject();
}
