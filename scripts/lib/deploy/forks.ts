/**
 * Pinned fork blocks: where the in-process network forks a live chain (FORK=<network>, hardhat.config.ts) and where
 * the fork suite (test/fork) runs, unless FORK_BLOCK says otherwise. Pinned so that runs are repeatable and an RPC
 * provider can cache them; move them forward when the address book lists contracts deployed after them.
 * No imports: hardhat.config.ts loads this file on every command.
 */
export const DEFAULT_FORK_BLOCKS: Record<string, number> = { mainnet: 23_000_000, arbitrum: 360_000_000 };

/** FORK_BLOCK, else the pinned default of `network`; undefined when neither exists. */
export function forkBlock(network: string, env: NodeJS.ProcessEnv = process.env): number | undefined {
  const raw = env.FORK_BLOCK?.trim() || DEFAULT_FORK_BLOCKS[network];
  if (raw === undefined) return undefined;
  const block = Number(raw);
  if (!Number.isInteger(block) || block <= 0) throw new Error(`FORK_BLOCK=${raw} is not a block number`);
  return block;
}
