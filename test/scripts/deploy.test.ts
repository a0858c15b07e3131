/**
 * Deployment tooling: the config loader (deploy/config.ts), the per-chain address table (scripts/lib/deploy/addresses.ts),
 * and the two scripts end to end in a child process on the in-process network: deploy/deploy-vault.ts and
 * `npm run demo` (scripts/demo.ts).
 */
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { spawn } from "node:child_process";
import { JsonRpcProvider, ZeroAddress } from "ethers";
import { freeLoopbackPort } from "../shared/net";
import { checkVaultSettings } from "../../scripts/lib/deploy/preflight";
import { defaultSettings, PRESET_3X } from "../../scripts/lib/deploy/vault";
import { AaveV3Arbitrum, AaveV3Ethereum } from "@bgd-labs/aave-address-book";
import { loadDeployConfig } from "../../deploy/config";
import { chainDefaults, missingFields } from "../../scripts/lib/deploy/addresses";
import { ROOT, hardhat } from "../shared/cli";

const KEEPER = "0x9965507D1a55bcC2695C58ba16FB37d819B0A4dc";

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
    it("reads VAULT_VENUE (default aave) and VAULT_KIND (a bytes32 label: at most 31 bytes)", () => {
      expect(loadDeployConfig({}).venue).to.equal("aave");
      expect(loadDeployConfig({}).kind).to.equal(undefined);
      expect(loadDeployConfig({ VAULT_VENUE: "morpho", VAULT_KIND: "my-3x" })).to.include({ venue: "morpho", kind: "my-3x" });
      expect(() => loadDeployConfig({ VAULT_VENUE: "compound" })).to.throw(/venue: must be aave or morpho/);
      expect(() => loadDeployConfig({ VAULT_KIND: "x".repeat(32) })).to.throw(/kind: at most 31 bytes/);
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
        eModeCategory: 0,
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

  describe("preflight: settings checked before the first transaction", function () {
    this.timeout(300_000);
    const LOCAL_RISK = { ltvBps: 8050, liquidationThresholdBps: 8300 };

    it("names every setting the vault or the market would refuse", () => {
      expect(checkVaultSettings({ ...defaultSettings(3), ...PRESET_3X }, LOCAL_RISK)).to.deep.equal([]);
      expect(checkVaultSettings(defaultSettings(50), LOCAL_RISK).join("\n")).to.match(/targetLeverage 50: above 18\.44x/);
      expect(checkVaultSettings(defaultSettings(5), LOCAL_RISK)).to.include(
        "targetLeverage 5 needs an LTV of 8000 bps; the market allows 8050 less a 500 bps buffer: at most 4.08x",
      );
      expect(checkVaultSettings({ ...defaultSettings(3), minLeverage: 3.5 }, LOCAL_RISK)).to.include("minLeverage 3.5 is above targetLeverage 3");
      expect(checkVaultSettings({ ...defaultSettings(3), criticalHealthFactor: 1.2, minHealthFactor: 1.1 }, LOCAL_RISK)).to.include(
        "criticalHealthFactor 1.2 is above minHealthFactor 1.1",
      );
    });

    for (const [what, env, message] of [
      ["VAULT_TARGET_LEVERAGE=50", { VAULT_TARGET_LEVERAGE: "50" }, "targetLeverage 50: above 18.44x"],
      ["min above max", { VAULT_TARGET_LEVERAGE: "3", VAULT_MIN_LEVERAGE: "3.5", VAULT_MAX_LEVERAGE: "3.3" }, "minLeverage 3.5 is above targetLeverage 3"],
    ] as const) {
      it(`${what}: refused with the reason, nothing deployed (not even the local market)`, async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-"));
        const failed = await hardhat(["run", "deploy/deploy-vault.ts"], { DEPLOYMENTS_DIR: dir, ...env }).then(
          () => undefined,
          (error: { code: number; stdout: string; stderr: string }) => error,
        );
        expect(failed, "the script should fail").to.not.equal(undefined);
        expect(failed!.code).to.equal(1);
        expect(failed!.stderr).to.include("settings refused before any transaction").and.include(message);
        expect(failed!.stderr).to.not.match(/^\s+at /m);
        expect(failed!.stdout).to.not.include("deploying the local");
        expect(fs.readdirSync(dir)).to.deep.equal([]);
      });
    }

    it("DRY_RUN=1 on a hardhat node prints the plan and its gas and leaves the chain untouched; a real run prints Next: with --signer", async () => {
      const port = await freeLoopbackPort();
      const url = `http://127.0.0.1:${port}`;
      const node = spawn("node", [path.join(ROOT, "node_modules", "hardhat", "internal", "cli", "bootstrap.js"), "node", "--port", String(port)], { cwd: ROOT });
      const rpc = new JsonRpcProvider(url, undefined, { staticNetwork: true });
      try {
        await new Promise<void>((resolve, reject) => {
          node.stdout.on("data", (chunk: Buffer) => chunk.toString().includes("Started HTTP") && resolve());
          node.once("exit", (code) => reject(new Error(`hardhat node exited ${code}`)));
        });
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-"));
        const env = { DEPLOYMENTS_DIR: dir, LOCALHOST_RPC_URL: url, VAULT_KEEPERS: KEEPER };
        const before = await rpc.getBlockNumber();
        const balance = await rpc.getBalance("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        const { stdout } = await hardhat(["run", "deploy/deploy-vault.ts", "--network", "localhost"], { ...env, DRY_RUN: "1" });
        expect(stdout).to.include("Settings checked").and.include("DRY RUN: every step below runs on a snapshot");
        expect(stdout).to.match(/DRY RUN: \d+ transaction\(s\), [\d,]+ gas in all; reverted to block \d+, no deployment record written/);
        expect(await rpc.getBlockNumber()).to.equal(before);
        expect(await rpc.getBalance("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266")).to.equal(balance);
        expect(fs.readdirSync(dir)).to.deep.equal([]);
        expect(stdout).to.not.include("Next:");

        const real = await hardhat(["run", "deploy/deploy-vault.ts", "--network", "localhost"], env);
        expect(real.stdout).to.match(new RegExp(`keeper:run --registry 0x[0-9a-fA-F]{40} --lens 0x[0-9a-fA-F]{40} --signer ${KEEPER} --network localhost`));
        expect(await rpc.getBlockNumber()).to.be.greaterThan(before);
      } finally {
        rpc.destroy();
        node.kill("SIGKILL");
      }
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

    it("VAULT_VENUE=morpho VAULT_PRESET=eth-long-3x deploys the local Morpho market, the Morpho stack and the vault through the factory, listed by kind", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-"));
      const { stdout } = await hardhat(["run", "deploy/deploy-vault.ts"], {
        DEPLOYMENTS_DIR: dir,
        VAULT_VENUE: "morpho",
        VAULT_PRESET: "eth-long-3x",
        VAULT_KEEPERS: KEEPER,
      });
      const record = JSON.parse(fs.readFileSync(path.join(dir, "hardhat.json"), "utf8"));
      expect(record.venue).to.equal("morpho");
      for (const key of ["module", "registry", "factory", "lens"]) expect(record[key]).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(record.markets.morpho).to.match(/^0x[0-9a-fA-F]{40}$/);
      expect(record.localMarket["Morpho Blue"]).to.equal(record.markets.morpho);
      expect(record.markets.lltv).to.equal((86n * 10n ** 16n).toString());
      expect(record.vaults).to.have.length(1);
      expect(record.vaults[0]).to.include({ kind: "eth-long-3x" });
      expect(stdout).to.include("deploying the local Morpho Blue markets").and.include("Settings checked").and.include("Morpho LLTV 8600 bps");
      // Read back from the registry on chain by the script: the spec the factory recorded.
      expect(stdout).to.include(`at ${record.vaults[0].address}`).and.include(`listed in registry ${record.registry} as kind 'eth-long-3x' on morpho-blue`);
    });

    it("VAULT_VENUE=morpho refuses a preset that does not run on Morpho, and an unknown venue, before any transaction", async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-"));
      for (const [env, message] of [
        [{ VAULT_VENUE: "morpho", VAULT_PRESET: "eth-short-2x" }, "preset 'eth-short-2x' does not run on morpho"],
        [{ VAULT_VENUE: "compound" }, "venue: must be aave or morpho"],
      ] as const) {
        const failed = await hardhat(["run", "deploy/deploy-vault.ts"], { DEPLOYMENTS_DIR: dir, ...env }).then(
          () => undefined,
          (error: { code: number; stdout: string; stderr: string }) => error,
        );
        expect(failed, `${JSON.stringify(env)} should fail`).to.not.equal(undefined);
        expect(failed!.stderr).to.include(message);
        expect(failed!.stdout).to.not.include("deploying the local");
      }
      expect(fs.readdirSync(dir)).to.deep.equal([]);
    });

    it("npm run demo (scripts/demo.ts) tells the whole story: volatility-aware target, relever, delever, stop-loss, full exit", async () => {
      const { stdout } = await hardhat(["run", "scripts/demo.ts"]);
      for (const expected of ["Volatility-aware leverage", "ReleverBand", "DeleverBand", "StopLoss", "StoppedOut", "Alice redeems all"]) {
        expect(stdout).to.include(expected);
      }
      expect(stdout).to.include("Vault left: 0 shares");
    });

    for (const preset of ["eth-short-2x", "btc-long-2x", "wsteth-loop"]) {
      it(`DEMO_PRESET=${preset} (npm run demo -- --preset ${preset}) tells its kind's story: delever, stop-loss, full exit`, async () => {
        const { stdout } = await hardhat(["run", "scripts/demo.ts"], { DEMO_PRESET: preset });
        for (const expected of [`Preset ${preset}`, "Risks:", "DeleverBand", "StopLoss", "StoppedOut", "Alice redeems all", "Vault left: 0 shares"]) {
          expect(stdout).to.include(expected);
        }
        if (preset === "wsteth-loop") expect(stdout).to.include("Carry:").and.include("e-mode 1");
      });
    }

    for (const preset of ["eth-long-3x", "wsteth-loop"]) {
      it(`DEMO_VENUE=morpho DEMO_PRESET=${preset} (npm run demo -- --preset ${preset} --venue morpho): the same story on Morpho Blue`, async () => {
        const { stdout } = await hardhat(["run", "scripts/demo.ts"], { DEMO_PRESET: preset, DEMO_VENUE: "morpho" });
        for (const expected of ["Morpho Blue, real bytecode", "LLTV", "DeleverBand", "StopLoss", "StoppedOut", "liquidatable on Morpho", "Vault left: 0 shares"]) {
          expect(stdout).to.include(expected);
        }
      });
    }
  });
});
