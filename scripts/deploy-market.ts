/**
 * Deploys the local Aave V3 + Uniswap V3 market (real npm bytecode) and prints what it built.
 *   npx hardhat run scripts/deploy-market.ts            (in-process network, gone when it exits)
 *   npx hardhat run scripts/deploy-market.ts --network localhost   (against `npx hardhat node`)
 * ETH_PRICE=2500 sets the starting ETH/USD.
 */
import hre from "hardhat";
import { deployMarket } from "./lib/market/market";
import { printMarket } from "./lib/market/market-report";

async function main() {
  const started = Date.now();
  const m = await deployMarket(hre.ethers, { ethPrice: Number(process.env.ETH_PRICE ?? 2000) });
  console.log(`Market deployed on '${hre.network.name}' in ${Date.now() - started} ms\n`);

  await printMarket(m);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
