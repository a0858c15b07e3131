/**
 * The adversarial suite's one world state (issue 9): the local real-bytecode market and a 3x WETH/USDC vault with
 * every exit armed, separate owner / manager / guardian, an allow-listed keeper, three depositors, an approved
 * third party, a pool manipulator and a stranger (donor, ripcord puller). Deployed once through loadFixture; each
 * fuzz run starts from its snapshot.
 */
import { acceptPending } from "../shared/timelock";
import { MaxUint256, parseEther, parseUnits } from "ethers";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { PRESET_3X_FIXED, vaultWorld, type VaultWorld } from "../shared/vault";
import { fund, oraclePriceE8, swapPoolTo } from "../shared/market-helpers";

/** Finite allowance the depositors give the third party: the fuzzer checks it is spent only for shares burned. */
export const THIRD_PARTY_ALLOWANCE = 10n ** 30n;

export interface AdversarialWorld extends VaultWorld {
  owner: HardhatEthersSigner;
  manager: HardhatEthersSigner;
  guardian: HardhatEthersSigner;
  /** Approved by alice, bob and carol to redeem / withdraw their shares. */
  dave: HardhatEthersSigner;
  /** Pool manipulator: sandwiches other actors' calls (and its own) within one block. */
  mallory: HardhatEthersSigner;
  depositors: HardhatEthersSigner[];
}

export async function adversarialWorld(): Promise<AdversarialWorld> {
  const w = await vaultWorld({
    ...PRESET_3X_FIXED,
    stopLossPrice: 1500,
    trailBps: 1500,
    takeProfitPrice: 2800,
    takeProfitLeverage: 2,
    maxTradeSize: 100_000,
  });
  const { market, vault } = w;
  const owner = market.deployer;
  const [, , , , , guardian, manager, dave, mallory] = market.users;
  await (await vault.connect(owner).setRoles(manager.address, guardian.address)).wait();
  await acceptPending(vault, market); // a new guardian waits out the timelock (ROLE-2)

  // Mallory deposits too (she may sandwich her own deposit or exit) and trades in both pools.
  await fund(market, mallory.address, { weth: parseEther("4000"), usdc: parseUnits("8000000", 6) });
  for (const spender of [market.swapRouter.target, vault.target]) {
    await (await market.weth.connect(mallory).getFunction("approve")(spender, MaxUint256)).wait();
  }
  await (await market.usdc.connect(mallory).getFunction("approve")(market.swapRouter.target, MaxUint256)).wait();
  // The stranger donates from its own balance (WETH, USDC, on Aave for the vault) and pulls the ripcord.
  await fund(market, w.stranger.address, { weth: parseEther("200"), usdc: parseUnits("2000000", 6) });
  for (const token of [market.weth, market.usdc]) {
    await (await token.connect(w.stranger).getFunction("approve")(market.pool.target, MaxUint256)).wait();
  }
  for (const holder of [w.alice, w.bob, w.carol]) {
    await (await vault.connect(holder).approve(dave.address, THIRD_PARTY_ALLOWANCE)).wait();
  }

  // Two holders to start from: 60 + 40 WETH at 3x, the pool arbitraged back to the oracle after each.
  const price = await oraclePriceE8(market);
  for (const [holder, amount] of [[w.alice, "60"], [w.bob, "40"]] as const) {
    await (await vault.connect(holder)["deposit(uint256,address)"](parseEther(amount), holder.address)).wait();
    await swapPoolTo(market, market.uniPool500, price);
  }
  return { ...w, owner, manager, guardian, dave, mallory, depositors: [w.alice, w.bob, w.carol] };
}
