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
  markets: MarketAddresses | MorphoMarketAddresses;
  oracle: OracleAddresses;
  /** Only for the local market (chain id 31337). */
  localMarket?: Record<string, string>;
  vaults: { address: string; name: string; symbol: string; salt: string; kind?: string; creator: string; block: number; settings: object }[];
  updatedAt: string;
}

/** deployments/<network>.json, or under DEPLOYMENTS_DIR when set (read at every call). */
export const deploymentsFile = (network: string) =>
  path.join(process.env.DEPLOYMENTS_DIR ?? path.join(__dirname, "..", "..", "..", "deployments"), `${network}.json`);

export function readDeploymentRecord(network: string): DeploymentRecord | undefined {
  const file = deploymentsFile(network);
  return fs.existsSync(file) ? (JSON.parse(fs.readFileSync(file, "utf8")) as DeploymentRecord) : undefined;
}

export function writeDeploymentRecord(record: DeploymentRecord): string {
  const file = deploymentsFile(record.network);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, JSON.stringify(record, (_, v) => (typeof v === "bigint" ? v.toString() : v), 2) + "\n");
  return file;
}
