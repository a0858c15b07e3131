import { expect } from "chai";
import hre from "hardhat";
import { underCoverage } from "./shared/gas";

/** EIP-170: deployed code above 24,576 bytes cannot be deployed; the deployer embeds the vault's creation code. */
const LIMIT = 24_576;
const SHIPPED = [
  "AaveUniswapLeverageVault",
  "AaveUniswapVaultModule",
  "AaveUniswapManagementModule",
  "AaveUniswapVaultDeployer",
  "AaveUniswapVaultFactory",
  "VaultRegistry",
  "KeeperLens",
];

describe("contract sizes", () => {
  for (const name of SHIPPED) {
    it(`${name} fits the code-size limit`, async () => {
      const artifact = await hre.artifacts.readArtifact(name);
      const size = (artifact.deployedBytecode.length - 2) / 2;
      expect(size).to.be.gt(0);
      // Instrumented code is larger than what ships: its size is checked on the real build only.
      if (!underCoverage()) expect(size, `${name}: ${size} bytes, ${LIMIT - size} of headroom`).to.be.lte(LIMIT);
    });
  }
});
