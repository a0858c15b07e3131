/** Number formatting: every figure in its own token's decimals, with its unit. */
import { formatUnits } from "ethers";

export const WAD = 10n ** 18n;

/** `x` (raw units of a token with `decimals`) with at most `digits` fraction digits, thousands separated. */
export function amount(x: bigint, decimals: number, digits = 4): string {
  const s = formatUnits(x, decimals);
  const [i, f = ""] = s.split(".");
  const neg = i.startsWith("-");
  const int = (neg ? i.slice(1) : i).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  const frac = f.slice(0, digits).replace(/0+$/, "");
  return `${neg ? "-" : ""}${int}${frac ? "." + frac : ""}`;
}
/** wad -> number (for ratios and charts only, never for amounts sent). */
export const num = (x: bigint, decimals = 18) => Number(formatUnits(x, decimals));
export const lev = (x: bigint) => `${num(x).toFixed(2)}x`;
export const hf = (x: bigint) => (x >= 10n ** 30n ? "∞" : num(x).toFixed(3));
export const usd = (x: bigint, digits = 2) => `$${amount(x, 18, digits)}`;
export const bps = (x: bigint | number) => `${(Number(x) / 100).toFixed(2).replace(/\.?0+$/, "")}%`;
export const pct = (x: number, digits = 2) => `${x >= 0 ? "+" : ""}${(x * 100).toFixed(digits)}%`;
export const short = (a: string) => `${a.slice(0, 6)}…${a.slice(-4)}`;

export function duration(seconds: number): string {
  const s = Math.max(0, Math.floor(seconds));
  const d = Math.floor(s / 86400);
  const h = Math.floor((s % 86400) / 3600);
  const m = Math.floor((s % 3600) / 60);
  const r = s % 60;
  return d > 0 ? `${d}d ${h}h ${m}m ${r}s` : h > 0 ? `${h}h ${m}m ${r}s` : m > 0 ? `${m}m ${r}s` : `${r}s`;
}
export const time = (t: number) => new Date(t * 1000).toISOString().replace("T", " ").replace(/\.000Z$/, " UTC");

export function esc(s: unknown): string {
  return String(s).replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]!);
}

export const ACTIONS = ["None", "DeleverBand", "ReleverBand", "DeleverHealth", "StopLoss", "TrailingStop", "TakeProfit", "Ripcord", "Poke"];
export const MODES = ["Active", "StoppedOut", "ProfitTaken"];
/** IVaultManagement.ChangeKind, in order. A kind the deployed vault does not know reverts in pendingChange: not shown. */
export const KINDS = ["Leverage", "Execution", "Automation", "Exit", "Timelock", "Rearm", "Volatility", "Guardian"];
export const actionName = (a: bigint | number) => ACTIONS[Number(a)] ?? `action ${a}`;
export const modeName = (m: bigint | number) => MODES[Number(m)] ?? `mode ${m}`;
