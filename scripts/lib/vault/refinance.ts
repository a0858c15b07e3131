/**
 * Reading a refinanceable vault's venues through its public ABI (IVaultRefinance) and the getters of its modules:
 * the venue it runs on, the one a pending `ChangeKind.Venue` moves it to, and both venues' borrow rates (each venue
 * mover's `borrowRatePerYear`). Shared by `vault:refinance`, the keeper bot (`keeper:run --refinance-gap`) and the
 * demo. Node only: contracts are opened from minimal ABIs, no typechain-types at runtime.
 */
import { AbiCoder, Contract, ZeroAddress, decodeBytes32String, type ContractRunner } from "ethers";
import type { ILeveredVault } from "../../../typechain-types";
import { CHANGE_KINDS } from "./governance";

/** IVaultManagement.ChangeKind.Venue */
export const VENUE_KIND = CHANGE_KINDS.indexOf("venue");

const STACK_ABI = [
  "function MODULE() view returns (address)",
  "function MANAGEMENT_MODULE() view returns (address)",
  "function SETTINGS_MODULE() view returns (address)",
  "function VENUE_MOVER() view returns (address)",
];
const MOVER_ABI = ["function VENUE() view returns (bytes32)", "function borrowRatePerYear() view returns (uint256)"];

/** One venue a vault can run on. */
export interface VenueView {
  /** The vault's implementation on it. */
  implementation: string;
  mover: string;
  /** "aave-v3", "morpho-blue" */
  venue: string;
  /** Borrow rate on the debt asset now, wad per year. */
  borrowRate: bigint;
}

/** The venue of a vault implementation, followed through its modules' getters to its venue mover. */
export async function venueOfImplementation(runner: ContractRunner, implementation: string): Promise<VenueView> {
  const at = (address: string) => new Contract(address, STACK_ABI, runner);
  const module: string = await at(implementation).MODULE();
  const management: string = await at(module).MANAGEMENT_MODULE();
  const settings: string = await at(management).SETTINGS_MODULE();
  const mover: string = await at(settings).VENUE_MOVER();
  if (mover === ZeroAddress) throw new Error(`${implementation}: its modules have no venue mover (not refinanceable)`);
  const m = new Contract(mover, MOVER_ABI, runner);
  const [venue, borrowRate] = await Promise.all([m.VENUE(), m.borrowRatePerYear()]);
  return { implementation, mover, venue: decodeBytes32String(venue), borrowRate };
}

export interface RefinanceState {
  /** Where the vault runs; undefined when it is not behind a proxy. */
  current?: VenueView;
  /** The pending move, if any. */
  pending?: { destination: VenueView; validAt: number; expiresAt: number; state: "waiting" | "acceptable" | "expired" };
}

/** The vault's venue and its pending move at `now` (s), `validity` (s) being the vault's PENDING_VALIDITY. */
export async function refinanceState(vault: ILeveredVault, now: number, validity: number): Promise<RefinanceState> {
  const runner = vault.runner!;
  const implementation = await vault.venueImplementation();
  if (implementation === ZeroAddress) return {};
  const current = await venueOfImplementation(runner, implementation);
  const [data, validAtRaw] = await vault.pendingChange(VENUE_KIND);
  const validAt = Number(validAtRaw);
  if (validAt === 0) return { current };
  const [to] = AbiCoder.defaultAbiCoder().decode(["address"], data) as unknown as [string];
  const expiresAt = validAt + validity;
  const state = now < validAt ? "waiting" : now <= expiresAt ? "acceptable" : "expired";
  return { current, pending: { destination: await venueOfImplementation(runner, to), validAt, expiresAt, state } };
}

/**
 * Whether a keeper should accept the pending move now: acceptable, and the destination's borrow rate under the
 * current one by at least `minGapBps` (the move was decided by the owner through the timelock; the keeper picks a
 * moment when it pays).
 */
export function refinanceDue(state: RefinanceState, minGapBps: number): boolean {
  const { current, pending } = state;
  if (!current || !pending || pending.state !== "acceptable") return false;
  const gap = (BigInt(minGapBps) * 10n ** 18n) / 10_000n;
  return pending.destination.borrowRate + gap <= current.borrowRate;
}

/** "4.00 %" from a wad-per-year rate. */
export const apr = (rate: bigint) => `${(Number(rate) / 1e16).toFixed(2)} %`;
