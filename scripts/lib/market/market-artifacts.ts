/**
 * Deploying and attaching contracts from the npm packages' prebuilt artifacts (Aave, Uniswap) by path, with
 * library linking: nothing is compiled from their sources.
 */
import { Contract } from "ethers";
import type { Artifact, Libraries } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import type { Ethers } from "./market";

export const AAVE = "@aave/core-v3/artifacts/contracts";
export const UNI_CORE = "@uniswap/v3-core/artifacts/contracts";
export const UNI_PERIPHERY = "@uniswap/v3-periphery/artifacts/contracts";
// require() rather than a JSON import: typing these multi-MB files would slow tsc down a lot.
// eslint-disable-next-line @typescript-eslint/no-require-imports
const artifact = (path: string): Artifact => require(`${path}.json`) as Artifact;

/** Deploys and attaches artifacts (paths without ".json") as one signer, the market's deployer. */
export interface ArtifactDeployer {
  deploy(path: string, args?: unknown[], libraries?: Libraries): Promise<Contract>;
  at(path: string, address: string): Contract;
  /** Deploys one of this project's contracts by fully qualified name ("contracts/test/X.sol:X"). */
  deployLocal(name: string, args?: unknown[]): Promise<Contract>;
}

/** An ArtifactDeployer sending every deployment from `deployer` and waiting for it to be mined. */
export function artifactDeployer(ethers: Ethers, deployer: HardhatEthersSigner): ArtifactDeployer {
  return {
    async deploy(path, args = [], libraries = {}) {
      const factory = await ethers.getContractFactoryFromArtifact(artifact(path), { signer: deployer, libraries });
      const contract = await factory.deploy(...args);
      await contract.waitForDeployment();
      return contract as unknown as Contract;
    },
    at: (path, address) => new Contract(address, artifact(path).abi, deployer),
    async deployLocal(name, args = []) {
      const contract = await (await ethers.getContractFactory(name, deployer)).deploy(...args);
      await contract.waitForDeployment();
      return contract as unknown as Contract;
    },
  };
}

/** A deployed contract's address (ethers keeps it in `target`). */
export const addr = (c: Contract) => c.target as string;
