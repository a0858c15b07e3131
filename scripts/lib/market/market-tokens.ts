/**
 * The market's tokens (Aave's mocks, and this project's MockWstETH) and the minting and approvals every phase of the
 * deployment needs.
 */
import { Contract, MaxUint256 } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { AAVE, type ArtifactDeployer } from "./market-artifacts";

export interface MarketTokens {
  weth: Contract;
  usdc: Contract;
  /** MintableERC20, 8 decimals. */
  wbtc: Contract;
  /** contracts/test/MockWstETH.sol: 18 decimals, settable stEthPerToken. */
  wsteth: Contract;
}

const MINTABLE_ERC20 = `${AAVE}/mocks/tokens/MintableERC20.sol/MintableERC20`;

/**
 * WETH9Mocked is a real WETH9 plus an unbacked mint for tests; USDC and WBTC are mintable 6- and 8-decimal ERC20s;
 * wstETH starts at `wstethRatio` (wad) stETH per token.
 */
export async function deployTokens(d: ArtifactDeployer, wstethRatio: bigint): Promise<MarketTokens> {
  const weth = await d.deploy(`${AAVE}/mocks/tokens/WETH9Mocked.sol/WETH9Mocked`);
  const usdc = await d.deploy(MINTABLE_ERC20, ["USD Coin", "USDC", 6]);
  const wbtc = await d.deploy(MINTABLE_ERC20, ["Wrapped BTC", "WBTC", 8]);
  const wsteth = await d.deployLocal("contracts/test/MockWstETH.sol:MockWstETH", [wstethRatio]);
  return { weth, usdc, wbtc, wsteth };
}

/** Mints `amount` (raw units) of a mock token to `to`. */
export async function mint(token: Contract, to: string, amount: bigint): Promise<void> {
  await (await token["mint(address,uint256)"](to, amount)).wait();
}

/** `owner` approves `spender` for an unlimited amount of `token`. */
export async function approveMax(token: Contract, owner: HardhatEthersSigner, spender: string): Promise<void> {
  await (await (token.connect(owner) as Contract).approve(spender, MaxUint256)).wait();
}
