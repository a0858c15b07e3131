/**
 * Deployment tooling: the config loader (deploy/config.ts), the per-chain address table (scripts/lib/deploy/addresses.ts),
 * and the two scripts end to end in a child process on the in-process network: deploy/deploy-vault.ts and
 * `npm run demo` (scripts/demo.ts).
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { ZeroAddress } from "ethers";
import { AaveV3Arbitrum, AaveV3Ethereum } from "@bgd-labs/aave-address-book";
import { loadDeployConfig } from "../../deploy/config";
import { chainDefaults, missingFields } from "../../scripts/lib/deploy/addresses";

const ROOT = path.join(__dirname, "..", "..");
const run = promisify(execFile);
const KEEPER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

async function hardhat(args: string[], env: Record<string, string> = {}) {
  return run("npx", ["hardhat", ...args], {
    cwd: ROOT,
    env: { ...process.env, ...env },
    maxBuffer: 16 * 1024 * 1024,
    timeout: 240_000,
  });
}

describe("deployment tooling", () => {
  describe("deploy config (zod)", () => {
    it("reads the JSON file, lets env vars override it, coerces numbers and booleans", () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-config-"));
      const file = path.join(dir, "vault.json");
      fs.writeFileSync(
        file,
        JSON.stringify({
          vault: { name: "From file", targetLeverage: 2, stopLossPrice: 1000 },
          keepers: [KEEPER.toLowerCase()],
          oracle: { collateralHeartbeat: 4000 },
        }),
      );
      const cfg = loadDeployConfig({
        VAULT_CONFIG: file,
        VAULT_TARGET_LEVERAGE: "3",
        VAULT_STOP_TO_DEBT_ASSET: "true",
        MARKET_SWAP_ROUTER: "0xe592427a0aece92de3edee1f18e0157c05861564",
        DEBT_SYMBOL: "USDCn",
      });
      expect(cfg.vault).to.deep.equal({ name: "From file", targetLeverage: 3, stopLossPrice: 1000, stopToDebtAsset: true });
      expect(cfg.keepers).to.deep.equal([KEEPER]); // checksummed
      expect(cfg.markets.swapRouter).to.equal("0xE592427A0AEce92De3Edee1F18E0157C05861564");
      expect(cfg.oracle.collateralHeartbeat).to.equal(4000);
      expect(cfg.debtSymbol).to.equal("USDCn");
      expect(cfg.collateralSymbol).to.equal("WETH");
      expect(cfg.newStack).to.equal(false);
    });

    it("lists every invalid field, and refuses unknown keys", () => {
      expect(() =>
        loadDeployConfig({ VAULT_TARGET_LEVERAGE: "x", VAULT_OWNER: "0x12", VAULT_MIN_HEALTH_FACTOR: "0.9" }),
      ).to.throw(/vault\.targetLeverage[\s\S]*vault\.minHealthFactor: must be > 1[\s\S]*roles\.owner: not an address/);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "vault-config-"));
      const file = path.join(dir, "vault.json");
      fs.writeFileSync(file, JSON.stringify({ vault: { leverage: 3 } }));
      expect(() => loadDeployConfig({ VAULT_CONFIG: file })).to.throw(/vault: Unrecognized key/);
    });
  });

  describe("chain addresses", () => {
    it("takes Aave V3 addresses from the address book and Uniswap's from the table", () => {
      const { markets, oracle } = chainDefaults(1);
      expect(markets).to.deep.equal({
        collateralAsset: AaveV3Ethereum.ASSETS.WETH.UNDERLYING,
        debtAsset: AaveV3Ethereum.ASSETS.USDC.UNDERLYING,
        aavePool: AaveV3Ethereum.POOL,
        swapRouter: "0xE592427A0AEce92De3Edee1F18E0157C05861564",
        uniswapFactory: "0x1F98431c8aD98523631AE4a59f267346ea31F984",
      });
      expect(oracle.collateralFeed).to.equal(AaveV3Ethereum.ASSETS.WETH.ORACLE);
      expect(oracle.sequencerFeed).to.equal(ZeroAddress); // L1
      expect(missingFields(markets, oracle)).to.deep.equal([]);
    });

    it("uses the sequencer feed on L2s and the asset chosen by symbol", () => {
      const { markets, oracle } = chainDefaults(42161, "WETH", "USDCn");
      expect(markets.debtAsset).to.equal(AaveV3Arbitrum.ASSETS.USDCn.UNDERLYING);
      expect(oracle.sequencerFeed).to.equal("0xFdB631F5EE196F0ed6FAa767959853A9F217697D");
      expect(() => chainDefaults(1, "WETH", "NOPE")).to.throw(/lists no NOPE/);
    });

    it("names what is missing where no original SwapRouter exists (Base) or the chain is unknown", () => {
      const base = chainDefaults(8453);
      expect(missingFields(base.markets, base.oracle)).to.deep.equal(["markets.swapRouter"]);
      const unknown = chainDefaults(999_999);
      expect(missingFields(unknown.markets, unknown.oracle)).to.include.members(["markets.aavePool", "oracle.collateralFeed"]);
    });
  });

  describe("scripts on the in-process network", function () {
    this.timeout(300_000);

    it("deploy/deploy-vault.ts deploys the local market, the stack and a configured vault, and records them", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-"));
      const { stdout } = await hardhat(["run", "deploy/deploy-vault.ts"], {
        DEPLOYMENTS_DIR: dir,
        VAULT_TARGET_LEVERAGE: "3",
        VAULT_MIN_LEVERAGE: "2.7",
        VAULT_MAX_LEVERAGE: "3.3",
        VAULT_MIN_HEALTH_FACTOR: "1.15",
        VAULT_STOP_LOSS_PRICE: "1500",
        VAULT_KEEPERS: KEEPER,
      });
      const record = JSON.parse(fs.readFileSync(path.join(dir, "hardhat.json"), "utf8"));
      expect(record.chainId).to.equal(31337);
      for (const key of ["module", "registry", "factory", "lens"]) expect(record[key]).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(record.vaults).to.have.length(1);
      expect(record.vaults[0].settings).to.include({ targetLeverage: 3, stopLossPrice: 1500 });
      expect(record.vaults[0].settings.keepers).to.deep.equal([KEEPER]);
      expect(stdout).to.include("Preflight").and.include(`Vault Levered WETH 3x (lvWETH3x) at ${record.vaults[0].address}`);
      // In-process: no "Next:" commands for a chain that is gone when the script exits.
      expect(stdout).to.not.include("Next:");
      expect(stdout).to.include("gone when this script exits").and.include("--network localhost");
    });

    it("npm run demo (scripts/demo.ts) tells the whole story: volatility-aware target, relever, delever, stop-loss, full exit", async () => {
      const { stdout } = await hardhat(["run", "scripts/demo.ts"]);
      for (const expected of ["Volatility-aware leverage", "ReleverBand", "DeleverBand", "StopLoss", "StoppedOut", "Alice redeems all"]) {
        expect(stdout).to.include(expected);
      }
      expect(stdout).to.include("Vault left: 0 shares");
    });
  });
});
