import { expect } from "chai";
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { underCoverage } from "./shared/gas";

/** EIP-170: deployed code above 24,576 bytes cannot be deployed; the deployer embeds the vault's creation code. */
const LIMIT = 24_576;
const SHIPPED = [
  "AaveUniswapLeverageVault",
  "AaveUniswapVaultModule",
  "AaveUniswapManagementModule",
  "MorphoUniswapLeverageVault",
  "MorphoUniswapVaultModule",
  "MorphoUniswapManagementModule",
  "SettingsModule",
  "AaveUniswapEmergencyModule",
  "MorphoUniswapEmergencyModule",
  "AaveUniswapVaultDeployer",
  "MorphoUniswapVaultDeployer",
  "VaultFactory",
  "VaultRegistry",
  "KeeperLens",
  "AaveUniswapVenueMover",
  "MorphoUniswapVenueMover",
  "VaultProxy",
];
/** Issue 17's budget: every shipped contract keeps this much room under the limit, for the next feature. */
const MIN_HEADROOM = 2048;
/**
 * reports/sizes.json, the source of the sizes README.md quotes (npm run docs). Written only with UPDATE_REPORTS=1
 * (`npm run reports:update`), so a test run leaves the tree clean; otherwise each size must be within SIZE_TOLERANCE
 * bytes of the report, so that the README cannot drift by more than that.
 */
const REPORT = path.join(__dirname, "..", "reports", "sizes.json");
const SIZE_TOLERANCE = 256;

describe("contract sizes", () => {
  const sizes: Record<string, number> = {};
  for (const name of SHIPPED) {
    it(`${name} fits the code-size limit`, async () => {
      const artifact = await hre.artifacts.readArtifact(name);
      const size = (artifact.deployedBytecode.length - 2) / 2;
      expect(size).to.be.gt(0);
      sizes[name] = size;
      // Instrumented code is larger than what ships: its size is checked on the real build only.
      if (!underCoverage()) expect(size, `${name}: ${size} bytes, ${LIMIT - size} of headroom`).to.be.lte(LIMIT);
    });
    it(`${name} keeps ${MIN_HEADROOM} bytes of headroom`, function () {
      if (underCoverage()) this.skip();
      const headroom = LIMIT - sizes[name];
      expect(headroom, `${name}: ${headroom} bytes of headroom`).to.be.gte(MIN_HEADROOM);
    });
  }

  /** EIP-3860: init code above 49,152 bytes cannot be deployed; each venue's deployer carries its vault's creation code. */
  for (const name of ["AaveUniswapVaultDeployer", "MorphoUniswapVaultDeployer"]) {
    it(`${name}'s init code fits the EIP-3860 limit`, async function () {
      if (underCoverage()) this.skip();
      const size = ((await hre.artifacts.readArtifact(name)).bytecode.length - 2) / 2;
      expect(size, `${name}: ${size} bytes of init code`).to.be.lte(2 * LIMIT);
    });
  }

  it(`reports/sizes.json matches the build within ${SIZE_TOLERANCE} bytes (UPDATE_REPORTS=1 rewrites it)`, function () {
    if (underCoverage()) this.skip();
    if (process.env.UPDATE_REPORTS === "1") {
      fs.writeFileSync(REPORT, JSON.stringify({ limit: LIMIT, bytes: sizes }, null, 2) + "\n");
      return;
    }
    const report = JSON.parse(fs.readFileSync(REPORT, "utf8")) as { bytes: Record<string, number> };
    const drift = SHIPPED.filter((name) => Math.abs((report.bytes[name] ?? 0) - sizes[name]) > SIZE_TOLERANCE).map(
      (name) => `${name} ${report.bytes[name] ?? "absent"} -> ${sizes[name]}`,
    );
    expect(drift, `sizes moved: ${drift.join(", ")}; run \`npm run reports:update\``).to.deep.equal([]);
  });
});
