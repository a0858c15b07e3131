/** Console formatting shared by the demo, the tasks and the keeper bot. */
import { formatUnits } from "ethers";

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

/** The custom error (name and arguments) behind a failed call, or the shortest message ethers has. */
export function describeError(error: unknown): string {
  const e = error as {
    revert?: { name: string; args: unknown[] };
    shortMessage?: string;
    message?: string;
  };
  if (e?.revert?.name) return `${e.revert.name}(${e.revert.args.map(String).join(", ")})`;
  const message = e?.message ?? String(error);
  const custom = /reverted with custom error '([^']+)'/.exec(message);
  if (custom) return custom[1];
  const reason = /reverted with reason string '([^']+)'/.exec(message);
  if (reason) return reason[1];
  return (e?.shortMessage ?? message).split("\n")[0];
}
