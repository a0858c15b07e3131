/**
 * What the tasks share for talking to a user: a one-line error (no stack trace, even where Hardhat shows stacks by
 * default, i.e. on CI and on headless Linux) and the validation of every argument before the chain is touched.
 * Loaded with the config: no `hardhat` runtime import, no typechain-types.
 */
import { inspect } from "node:util";
import { HardhatPluginError } from "hardhat/plugins";
import { getAddress, isAddress } from "ethers";
import { z } from "zod";

export const PLUGIN = "levered-vaults";

/**
 * A user error. Hardhat prints `Error in plugin levered-vaults: <message>` and exits with 1; on CI / headless Linux it
 * then also prints the error object itself, which here is empty unless --show-stack-traces was given.
 */
export class UserError extends HardhatPluginError {
  constructor(message: string) {
    super(PLUGIN, message);
    // HardhatPluginError's constructor resets the prototype to its own: restore ours (and with it inspect.custom).
    Object.setPrototypeOf(this, UserError.prototype);
  }

  [inspect.custom](): string {
    // Hardhat's errors keep the real stack in `_stack` (their `stack` getter calls this method).
    return process.argv.includes("--show-stack-traces") ? ((this as unknown as { _stack?: string })._stack ?? this.message) : "";
  }
}

/** A user error: printed as one line, without a stack trace. */
export function fail(message: string): never {
  throw new UserError(message);
}

/** An address argument (`--vault`...): 0x + 40 hex digits, checksum verified when mixed case; returned checksummed. */
export const address = (flag: string) =>
  z
    .string({ error: `--${flag} is required` })
    .trim()
    .superRefine((s, ctx) => {
      if (!/^0x[0-9a-fA-F]{40}$/.test(s)) {
        ctx.addIssue({ code: "custom", message: `--${flag} '${s}' is not an address (0x followed by 40 hex digits)` });
      } else if (!isAddress(s)) {
        ctx.addIssue({ code: "custom", message: `--${flag} '${s}' has a wrong checksum (mixed case): check the address or write it in lower case` });
      }
    })
    .transform((s) => getAddress(s));

/**
 * A token amount argument: a plain positive decimal (`1.5`, `1000`), no sign, no exponent, no separators. The number
 * of decimals is checked against the token once it is known (`checkDecimals`).
 */
export const amount = (flag: string) =>
  z
    .string({ error: `--${flag} is required` })
    .trim()
    .superRefine((s, ctx) => {
      if (s.startsWith("-")) ctx.addIssue({ code: "custom", message: `--${flag} must be positive (got '${s}')` });
      else if (/^[0-9.]*[eE][+-]?[0-9]+$/.test(s)) ctx.addIssue({ code: "custom", message: `--${flag} '${s}': write the number without an exponent (e.g. 1000, not 1e3)` });
      else if (!/^(\d+(\.\d*)?|\.\d+)$/.test(s)) ctx.addIssue({ code: "custom", message: `--${flag} '${s}' is not a number: write tokens as a decimal, e.g. 1.5` });
      else if (!/[1-9]/.test(s)) ctx.addIssue({ code: "custom", message: `--${flag} must be > 0` });
    });

/** An integer argument within [min, max]. */
export const integer = (flag: string, min: number, max = Number.MAX_SAFE_INTEGER) =>
  z.union([z.number(), z.string()]).transform((v, ctx) => {
    const s = String(v).trim();
    const n = Number(s);
    if (!/^-?\d+$/.test(s) || !Number.isSafeInteger(n) || n < min || n > max) {
      ctx.addIssue({ code: "custom", message: `--${flag} must be an integer from ${min}${max === Number.MAX_SAFE_INTEGER ? " up" : ` to ${max}`} (got '${s}')` });
      return z.NEVER;
    }
    return n;
  });

/** A positive decimal number argument (e.g. a price), returned as a number. */
export const positiveNumber = (flag: string) =>
  amount(flag).transform((s) => Number(s));

/** Parses the task's arguments with `schema`, or fails with one line naming every bad argument. */
export function parseArgs<S extends z.ZodType>(schema: S, args: unknown): z.output<S> {
  const parsed = schema.safeParse(args);
  if (!parsed.success) fail(parsed.error.issues.map((issue) => issue.message).join("; "));
  return parsed.data;
}

/** Fails when `value` (a validated decimal string) has more fraction digits than the token has decimals. */
export function checkDecimals(flag: string, value: string, decimals: number, symbol: string): void {
  const fraction = value.split(".")[1]?.replace(/0+$/, "") ?? "";
  if (fraction.length > decimals) fail(`--${flag} ${value} has ${fraction.length} decimals; ${symbol} has ${decimals}`);
}
