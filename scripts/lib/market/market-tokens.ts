/** The market's two tokens (Aave's mocks) and the minting and approvals every phase of the deployment needs. */
import { Contract, MaxUint256 } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { AAVE, type ArtifactDeployer } from "./market-artifacts";

export interface MarketTokens {
  weth: Contract;
  usdc: Contract;
}

/** WETH9Mocked is a real WETH9 plus an unbacked mint for tests; USDC is a mintable 6-decimal ERC20. */
export async function deployTokens(d: ArtifactDeployer): Promise<MarketTokens> {
  const weth = await d.deploy(`${AAVE}/mocks/tokens/WETH9Mocked.sol/WETH9Mocked`);
  const usdc = await d.deploy(`${AAVE}/mocks/tokens/MintableERC20.sol/MintableERC20`, ["USD Coin", "USDC", 6]);
  return { weth, usdc };
}

/** Mints `amount` (raw units) of a mock token to `to`. */
export async function mint(token: Contract, to: string, amount: bigint): Promise<void> {
  await (await token["mint(address,uint256)"](to, amount)).wait();
}

/** `owner` approves `spender` for an unlimited amount of `token`. */
export async function approveMax(token: Contract, owner: HardhatEthersSigner, spender: string): Promise<void> {
  await (await (token.connect(owner) as Contract).approve(spender, MaxUint256)).wait();
}
