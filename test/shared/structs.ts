import type { Result } from "ethers";

/**
 * A struct returned by a contract call as a plain object with the same fields, to spread and modify before
 * sending it back (ethers' Result keeps positional entries that a spread would otherwise carry along).
 */
export function plain<T>(output: T): T {
  return (output as unknown as Result).toObject() as T;
}
