/** Console formatting shared by the demo, the tasks and the keeper bot. */
import fs from "node:fs";
import path from "node:path";
import { AbiCoder, Interface, formatUnits } from "ethers";

/** IVaultAutomation.Action names, by enum value. */
export const ACTIONS = [
  "None",
  "DeleverBand",
  "ReleverBand",
  "DeleverHealth",
  "StopLoss",
  "TrailingStop",
  "TakeProfit",
  "Ripcord",
  "Poke", // raises the trailing stop's high-water mark, trades nothing
  "OutageDelever", // a feed stale past heartbeat + grace: delever priced at the pool TWAP (OUTAGE-1)
] as const;
export const MODES = ["Active", "StoppedOut", "ProfitTaken"] as const;

export const actionName = (action: bigint | number) => ACTIONS[Number(action)] ?? `Action(${action})`;
export const modeName = (mode: bigint | number) => MODES[Number(mode)] ?? `Mode(${mode})`;

/** `x` with `decimals` shown with at most `digits` fraction digits, thousands separated. */
export function units(x: bigint, decimals = 18, digits = 4): string {
  const [int, frac = ""] = formatUnits(x, decimals).split(".");
  const sign = int.startsWith("-") ? "-" : "";
  const grouped = int.replace("-", "").replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const f = frac.slice(0, digits).replace(/0+$/, "");
  return `${sign}${grouped}${f ? "." + f : ""}`;
}

/** A wad health factor; the vault reports type(uint256).max (or anything huge) without debt. */
export const hf = (x: bigint) => (x > 10n ** 30n ? "∞" : units(x, 18, 3));
export const lev = (x: bigint) => `${units(x, 18, 3)}x`;
export const usd = (wadUsd: bigint) => `$${units(wadUsd, 18, 0)}`;
export const gas = (g: bigint | number) => BigInt(g).toLocaleString("en-US");

/** A plain-text table; numbers and short values right-aligned except the first column. */
export function table(headers: string[], rows: (string | number | bigint)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const widths = headers.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? "").length)));
  const line = (r: string[]) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join("  ");
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...cells.slice(1).map(line)].join("\n");
}

/** Revert data of a failed call, wherever ethers / Hardhat put it (nested `error`, `info.error`, `data.data`). */
export function revertData(error: unknown): string | undefined {
  let e = error as { data?: unknown; error?: unknown; info?: { error?: unknown }; cause?: unknown } | undefined;
  for (let depth = 0; e && typeof e === "object" && depth < 6; depth++) {
    if (typeof e.data === "string" && /^0x([0-9a-fA-F]{8})/.test(e.data)) return e.data;
    const inner = (e.data as { data?: unknown } | undefined)?.data;
    if (typeof inner === "string" && /^0x([0-9a-fA-F]{8})/.test(inner)) return inner;
    e = (e.error ?? e.info?.error ?? e.cause) as typeof e;
  }
  return undefined;
}

/**
 * The error fragments of the vault's whole ABI (ILeveredVault) plus the registry's and the lens's, read once from the
 * compiled artifacts: every custom error the contracts declare is decoded, new ones included after a compile. Read
 * with `fs` (not typechain-types) so that the tasks, loaded with the config before any compile, can use it.
 */
let errorInterface: Interface | null | undefined;
export function contractErrors(): Interface | undefined {
  if (errorInterface !== undefined) return errorInterface ?? undefined;
  errorInterface = null;
  let dir = __dirname;
  while (!fs.existsSync(path.join(dir, "hardhat.config.ts")) && path.dirname(dir) !== dir) dir = path.dirname(dir);
  const fragments = new Map<string, unknown>();
  for (const name of ["ILeveredVault", "IVaultRegistry", "IKeeperLens"]) {
    const file = path.join(dir, "artifacts", "contracts", "interfaces", `${name}.sol`, `${name}.json`);
    if (!fs.existsSync(file)) continue;
    const abi = (JSON.parse(fs.readFileSync(file, "utf8")) as { abi: { type: string; name: string; inputs: unknown[] }[] }).abi;
    for (const item of abi) if (item.type === "error") fragments.set(item.name, item);
  }
  if (fragments.size) errorInterface = new Interface([...fragments.values()] as never);
  return errorInterface ?? undefined;
}

export interface DecodedError {
  name: string;
  /** Argument names (from the ABI; `arg<i>` when unnamed) and values. */
  args: { name: string; value: unknown; type: string }[];
}

const ERROR_STRING = "0x08c379a0";
const PANIC = "0x4e487b71";

/** Decodes revert data: a custom error of `iface` (default: the contracts' errors), Error(string) or Panic(uint256). */
export function decodeRevertData(data: string, iface: Interface | undefined = contractErrors()): DecodedError | undefined {
  const selector = data.slice(0, 10).toLowerCase();
  const coder = AbiCoder.defaultAbiCoder();
  try {
    if (selector === ERROR_STRING) {
      return { name: "Error", args: [{ name: "reason", type: "string", value: coder.decode(["string"], "0x" + data.slice(10))[0] }] };
    }
    if (selector === PANIC) {
      return { name: "Panic", args: [{ name: "code", type: "uint256", value: coder.decode(["uint256"], "0x" + data.slice(10))[0] }] };
    }
    const parsed = iface?.parseError(data);
    if (!parsed) return undefined;
    return {
      name: parsed.name,
      args: parsed.fragment.inputs.map((input, i) => ({ name: input.name || `arg${i}`, type: input.type, value: parsed.args[i] })),
    };
  } catch {
    return undefined;
  }
}

/** The decoded custom error behind a failed call, if its revert data is known and decodable. */
export function decodeError(error: unknown, iface?: Interface): DecodedError | undefined {
  const e = error as { revert?: { name: string; signature?: string; args: unknown[] } };
  const data = revertData(error);
  if (data) {
    const decoded = decodeRevertData(data, iface) ?? (iface ? decodeRevertData(data) : undefined);
    if (decoded) return decoded;
  }
  if (e?.revert?.name) {
    return { name: e.revert.name, args: e.revert.args.map((value, i) => ({ name: `arg${i}`, type: "", value })) };
  }
  return undefined;
}

const iso = (seconds: bigint) => new Date(Number(seconds) * 1000).toISOString().replace(".000Z", "Z");

/** One argument, readable: timestamps (`...At`, `upSince`) with their date, structs as `{field: value}`. */
function formatValue(name: string, value: unknown): string {
  if (typeof value === "bigint") {
    const isTime = /(At|Since)$/.test(name) && value > 1_000_000_000n && value < 10_000_000_000n;
    return isTime ? `${value} (${iso(value)})` : value.toString();
  }
  if (value && typeof value === "object" && typeof (value as { toObject?: unknown }).toObject === "function") {
    try {
      const object = (value as { toObject(): Record<string, unknown> }).toObject();
      return `{${Object.entries(object).map(([k, v]) => `${k}: ${formatValue(k, v)}`).join(", ")}}`;
    } catch {
      // unnamed tuple
    }
  }
  if (Array.isArray(value)) return `[${value.map((v) => formatValue("", v)).join(", ")}]`;
  return String(value);
}

/** `OracleStale(feed=0x..., updatedAt=1700000000 (2023-11-14T22:13:20Z), heartbeat=3600)`. */
export function formatDecodedError(decoded: DecodedError): string {
  if (decoded.name === "Error" && decoded.args.length === 1) return `reverted: ${String(decoded.args[0].value)}`;
  const args = decoded.args.map((a) => (a.name.startsWith("arg") ? formatValue(a.name, a.value) : `${a.name}=${formatValue(a.name, a.value)}`));
  return `${decoded.name}(${args.join(", ")})`;
}

/**
 * One line for a failed call: the custom error with its named arguments (decoded from the revert data with `iface`,
 * else with the contracts' errors), a revert reason, an unknown selector, or the shortest message ethers has.
 */
export function describeError(error: unknown, iface?: Interface): string {
  const decoded = decodeError(error, iface);
  if (decoded) return formatDecodedError(decoded);
  const data = revertData(error);
  const e = error as { shortMessage?: string; message?: string };
  const message = e?.message ?? String(error);
  const custom = /reverted with custom error '([^']+)'/.exec(message);
  if (custom) return custom[1];
  const reason = /reverted with reason string '([^']+)'/.exec(message);
  if (reason) return `reverted: ${reason[1]}`;
  if (/function selector was not recognized/.test(message)) return "the contract has no such function (function selector not recognized)";
  if (data) return `unknown error ${data.slice(0, 10)}`;
  return (e?.shortMessage ?? message).split("\n")[0];
}
