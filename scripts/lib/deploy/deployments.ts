/**
 * The deployment record deploy/deploy-vault.ts writes to deployments/<network>.json (DEPLOYMENTS_DIR moves the
 * folder; tests use a temporary one), and that the tasks read back (e.g. `keeper:run` finds the KeeperLens of a
 * registry there). Node only: no `hardhat` import, so the tasks (loaded with the config) can use it.
 */
import fs from "node:fs";
import path from "node:path";
import type { OracleAddresses } from "./addresses";
import type { MarketAddresses } from "./vault";
import type { MorphoMarketAddresses } from "./morpho-vault";
import type { Venue } from "./presets";

export interface DeploymentRecord {
  network: string;
  chainId: number;
  deployer: string;
  module: string;
  registry: string;
  factory: string;
  /** KeeperLens used by `keeper:run` to scan the registry (absent in records written before it existed). */
  lens?: string;
  /** The factory's venue (absent in records written before Morpho had a factory: aave). */
  venue?: Venue;
  /**
   * Every venue's factory on `registry` (written by a refinanceable deployment, VAULT_REFINANCEABLE: `factory` is the
   * one its vault started on); each factory's `refinanceImplementation()` is the vault code there.
   */
  factories?: Partial<Record<Venue, string>>;
  markets: MarketAddresses | MorphoMarketAddresses;
  oracle: OracleAddresses;
  /** Only for the local market (chain id 31337). */
  localMarket?: Record<string, string>;
  vaults: {
    address: string;
    name: string;
    symbol: string;
    salt: string;
    kind?: string;
    creator: string;
    block: number;
    /** Refinanceable vaults: the venue it started on, and its implementation on each venue (`vault:refinance --to`). */
    venue?: Venue;
    refinanceable?: boolean;
    implementations?: Partial<Record<Venue, string>>;
    settings: object;
  }[];
  updatedAt: string;
}

/** deployments/<network>.json, or under DEPLOYMENTS_DIR when set (read at every call). */
export const deploymentsFile = (network: string) =>
  path.join(process.env.DEPLOYMENTS_DIR ?? path.join(__dirname, "..", "..", "..", "deployments"), `${network}.json`);

export function readDeploymentRecord(network: string): DeploymentRecord | undefined {
  const file = deploymentsFile(network);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentRecord) : undefined;
}

/**
 * Where the record says a refinanceable vault's code for `venue` is: the implementation recorded with the vault, else
 * the record's factory of that venue when the vault is in the record's registry (its refinanceImplementation() is
 * then read on chain by the caller): `{ implementation }` or `{ factory }`, or undefined.
 */
export function recordedVenue(
  record: DeploymentRecord | undefined,
  vault: string,
  venue: Venue,
): { implementation: string } | { factory: string } | undefined {
  if (!record) return undefined;
  const entry = record.vaults?.find((v) => v.address.toLowerCase() === vault.toLowerCase());
  const implementation = entry?.implementations?.[venue];
  if (implementation) return { implementation };
  const factory = record.factories?.[venue] ?? ((record.venue ?? "aave") === venue ? record.factory : undefined);
  return factory ? { factory } : undefined;
}

export function writeDeploymentRecord(record: DeploymentRecord): string {
  const file = deploymentsFile(record.network);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
  return file;
}
