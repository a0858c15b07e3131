/**
 * `VAULT_REFINANCEABLE=1 npm run deploy` (issue 20): a refinanceable vault deployed with the normal command through
 * VaultFactory.createRefinanceableVault: both venues' stacks on one registry, each factory's implementation, the proxy
 * on VAULT_VENUE, recorded with its implementation per venue. In child processes, as a user runs it: on the in-process
 * network with nothing else configured, refused in one line for a preset on one venue, and against a `hardhat node`
 * (DRY_RUN=1 leaves the chain as it was; then the tools find the vault: vault:list, vault:status, vault:deposit,
 * keeper:run --once, vault:refinance --to <venue> through the record; a second run reuses both factories).
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { Contract, JsonRpcProvider } from "ethers";
import { loadDeployConfig } from "../../deploy/config";
import { localMarketAddresses, localOracleConfig } from "../../scripts/lib/deploy/vault";
import { deployMarket } from "../../scripts/lib/market/market";
import { deployMorpho, morphoMarketId } from "../../scripts/lib/market/morpho";
import { ethersAt, startHardhatNode } from "../fork/targets";
import { hardhat, hardhatRefused } from "../shared/cli";

const KEEPER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";
const ADDRESS = /^0x[0-9a-fA-F]{40}$/;

const tempDir = () => fs.mkdtempSync(path.join(os.tmpdir(), "deployments-"));

describe("deploy: refinanceable vaults (VAULT_REFINANCEABLE)", function () {
  this.timeout(900_000);

  it("reads VAULT_REFINANCEABLE (1 / true / yes; default off) and refuses anything else", () => {
    expect(loadDeployConfig({}).refinanceable).to.equal(false);
    for (const on of ["1", "true", "yes"]) expect(loadDeployConfig({ VAULT_REFINANCEABLE: on }).refinanceable, on).to.equal(true);
    for (const off of ["0", "false", "no"]) expect(loadDeployConfig({ VAULT_REFINANCEABLE: off }).refinanceable, off).to.equal(false);
    expect(() => loadDeployConfig({ VAULT_REFINANCEABLE: "maybe" })).to.throw(/refinanceable/);
  });

  it("VAULT_REFINANCEABLE=1 alone, in-process: the local market with Morpho, both stacks on one registry, the proxy on aave, recorded", async () => {
    const dir = tempDir();
    const { stdout } = await hardhat(["run", "deploy/deploy-vault.ts"], { DEPLOYMENTS_DIR: dir, VAULT_REFINANCEABLE: "1" });
    const record = JSON.parse(fs.readFileSync(path.join(dir, "hardhat.json"), "utf8"));
    expect(record.venue).to.equal("aave");
    expect(record.factories.aave).to.equal(record.factory);
    expect(record.factories.morpho).to.match(ADDRESS).and.not.equal(record.factory);
    expect(record.localMarket["Morpho Blue"]).to.match(ADDRESS);
    expect(record.vaults).to.have.length(1);
    const [vault] = record.vaults;
    expect(vault).to.include({ venue: "aave", refinanceable: true, kind: "custom" });
    expect(vault.implementations.aave).to.match(ADDRESS);
    expect(vault.implementations.morpho).to.match(ADDRESS).and.not.equal(vault.implementations.aave);
    expect(stdout).to.include("deploying the local Morpho Blue markets beside it too").and.include("Settings also fit morpho (Morpho LLTV 8600 bps)");
    expect(stdout).to.include(`The morpho stack on registry ${record.registry}`);
    expect(stdout).to.include(`Refinanceable vault Levered WETH 3x (lvWETH3x) at ${vault.address}`);
    expect(stdout).to.include(`a VaultProxy on aave (implementation ${vault.implementations.aave}); its implementation on morpho: ${vault.implementations.morpho}`);
    expect(stdout).to.include(`listed in registry ${record.registry} as kind 'custom' on aave-v3`);
  });

  it("refuses a preset that runs on one venue only, in one line, before anything is deployed", async () => {
    const dir = tempDir();
    const failed = await hardhatRefused(["run", "deploy/deploy-vault.ts"], { DEPLOYMENTS_DIR: dir, VAULT_REFINANCEABLE: "1", VAULT_PRESET: "eth-short-2x" });
    expect(failed.code).to.equal(1);
    expect(failed.stderr.trim().split("\n")).to.have.length(1);
    expect(failed.stderr).to.include("preset 'eth-short-2x' runs only on aave; a refinanceable vault needs both venues (presets on both: eth-long-3x, wsteth-loop)");
    expect(failed.stdout).to.not.include("deploying the local");
    expect(fs.readdirSync(dir)).to.deep.equal([]);
  });

  it("on a hardhat node: DRY_RUN=1 sends nothing; the vault starts on morpho, the tools find it, vault:refinance --to aave proposes the recorded implementation", async () => {
    const node = await startHardhatNode();
    const rpc = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    const dir = tempDir();
    try {
      const env = {
        DEPLOYMENTS_DIR: dir,
        LOCALHOST_RPC_URL: node.url,
        VAULT_REFINANCEABLE: "1",
        VAULT_PRESET: "eth-long-3x",
        VAULT_VENUE: "morpho",
        VAULT_KEEPERS: KEEPER,
      };
      const deploy = ["run", "deploy/deploy-vault.ts", "--network", "localhost"];
      const net = ["--network", "localhost"];
      const before = await rpc.getBlockNumber();
      const dry = await hardhat(deploy, { ...env, DRY_RUN: "1" });
      expect(dry.stdout).to.include("DRY RUN: every step below runs on a snapshot").and.include("Refinanceable vault Levered WETH 3x");
      expect(dry.stdout).to.match(/DRY RUN: \d+ transaction\(s\), [\d,]+ gas in all; reverted to block \d+, no deployment record written/);
      expect(await rpc.getBlockNumber()).to.equal(before);
      expect(fs.readdirSync(dir)).to.deep.equal([]);

      const real = await hardhat(deploy, env);
      const record = JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8"));
      const [entry] = record.vaults;
      const vault = entry.address as string;
      expect(record.venue).to.equal("morpho");
      expect(entry).to.include({ venue: "morpho", refinanceable: true, kind: "eth-long-3x" });
      expect(real.stdout).to.include(`listed in registry ${record.registry} as kind 'eth-long-3x' on morpho-blue`);
      expect(real.stdout).to.include(`npx hardhat vault:refinance --vault ${vault} --to aave --network localhost`);
      const proxy = new Contract(vault, ["function venueImplementation() view returns (address)"], rpc);
      expect(await proxy.venueImplementation()).to.equal(entry.implementations.morpho);

      // The registry lists it like any other vault; the usual tools work on it.
      const list = await hardhat(["vault:list", "--json", ...net], env);
      const listed = JSON.parse(list.stdout.trim().split("\n").pop()!);
      expect(listed).to.have.length(1);
      expect(listed[0]).to.include({ address: vault, kind: "eth-long-3x", venue: "morpho", factory: record.factories.morpho });
      await hardhat(["vault:deposit", "--vault", vault, "--amount", "1", "--wrap", ...net], env);
      const status = await hardhat(["vault:status", "--vault", vault, ...net], env);
      expect(status.stdout).to.include(vault);
      const keeper = await hardhat(["keeper:run", "--registry", record.registry, "--once", "--signer", KEEPER, ...net], env);
      expect(keeper.stdout).to.include("is an allow-listed keeper on all 1 vault(s)").and.match(/pass: 1 vault\(s\)/);

      // --to by venue name: the implementation recorded with the vault.
      const proposed = await hardhat(["vault:refinance", "--vault", vault, "--to", "aave", ...net], env);
      expect(proposed.stdout).to.include(`--to aave: implementation ${entry.implementations.aave} (recorded with the vault`);
      expect(proposed.stdout).to.include("destination: aave-v3").and.include("waits out the timelock");
      const pending = await hardhat(["vault:pending", "--vault", vault, ...net], env);
      expect(pending.stdout).to.include(`venue: implementation=${entry.implementations.aave}`);
      const same = await hardhatRefused(["vault:refinance", "--vault", vault, "--to", "morpho", ...net], env);
      expect(same.stderr).to.include(`already runs on morpho`);

    } finally {
      rpc.destroy();
      await node.stop();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the live path (MORPHO_MARKET_ID and the addresses configured, the local chain standing in): both stacks, then a second run reuses the recorded registry and both factories, and --to morpho resolves through the record", async () => {
    const node = await startHardhatNode();
    const rpc = new JsonRpcProvider(node.url, undefined, { staticNetwork: true });
    const dir = tempDir();
    const configFile = `${dir}-vault.json`;
    try {
      // The stand-in for a live chain: the local market and Morpho Blue on the node, deployed by this process.
      const ethers = ethersAt(node.url);
      const market = await deployMarket(ethers);
      const blue = await deployMorpho(ethers as never, market);
      fs.writeFileSync(configFile, JSON.stringify({ markets: localMarketAddresses(market), oracle: localOracleConfig(market) }));
      const env = {
        DEPLOYMENTS_DIR: dir,
        LOCALHOST_RPC_URL: node.url,
        VAULT_CONFIG: configFile,
        VAULT_REFINANCEABLE: "true",
        VAULT_PRESET: "eth-long-3x",
        MORPHO_ADDRESS: blue.morpho.target as string,
        MORPHO_MARKET_ID: morphoMarketId(blue.markets.wethUsdc),
      };
      const deploy = ["run", "deploy/deploy-vault.ts", "--network", "localhost"];
      const first = await hardhat(deploy, env);
      expect(first.stdout).to.not.include("deploying the local");
      expect(first.stdout).to.include(`Morpho Blue market ${env.MORPHO_MARKET_ID}`);
      const record = JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8"));
      expect(record.venue).to.equal("aave");
      expect(record.factories.aave).to.equal(record.factory);
      const [entry] = record.vaults;

      const again = await hardhat(deploy, { ...env, VAULT_VENUE: "morpho", VAULT_SALT: "second" });
      expect(again.stdout).to.include(`Reusing factory ${record.factories.morpho}`).and.include(`Reusing the aave factory ${record.factories.aave}`);
      expect(again.stdout).to.include("(deployed before)");
      const second = JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8"));
      expect(second).to.include({ registry: record.registry, venue: "morpho", factory: record.factories.morpho });
      expect(second.factories).to.deep.equal(record.factories);
      expect(second.vaults.map((v: { venue: string }) => v.venue)).to.deep.equal(["aave", "morpho"]);
      expect(second.vaults[1].implementations).to.deep.equal(entry.implementations);
      const registry = new Contract(record.registry, ["function vaultCount() view returns (uint256)"], rpc);
      expect(await registry.vaultCount()).to.equal(2n);

      const proposed = await hardhat(["vault:refinance", "--vault", entry.address, "--to", "morpho", "--dry-run", "--network", "localhost"], env);
      expect(proposed.stdout).to.include(`--to morpho: implementation ${entry.implementations.morpho}`).and.include("dry run: proposeVenue");
    } finally {
      rpc.destroy();
      await node.stop();
      fs.rmSync(dir, { recursive: true, force: true });
      fs.rmSync(configFile, { force: true });
    }
  });
});
