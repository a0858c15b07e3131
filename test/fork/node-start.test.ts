import { expect } from "chai";
import net from "node:net";
import type { ChildProcess } from "node:child_process";
import { rpc, startHardhatNode } from "./targets";
import { hardhatRefused } from "../shared/cli";

describe("fork suite rehearsal: starting the hardhat node", () => {
  it("fails (never skips) when the node cannot start, with its output, and leaves no process behind", async function () {
    this.timeout(60_000);
    // Hold a loopback port so that the node's listen fails.
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const { port } = blocker.address() as net.AddressInfo;
    let child: ChildProcess | undefined;
    try {
      const error = await startHardhatNode({ port, onSpawn: (c) => (child = c) }).then(
        () => undefined,
        (e: Error) => e,
      );
      expect(error?.message).to.match(new RegExp(`hardhat node exited \\(\\w+\\) before listening on port ${port}`));
      expect(error?.message).to.match(/EADDRINUSE|address already in use/i);
    } finally {
      blocker.close();
    }
    expect(child?.exitCode ?? child?.signalCode, "node process ended").to.not.equal(null);
  });
});

describe("FORK=<network>: the in-process fork reports the forked chain's id", () => {
  it("FORK=mainnet runs the deploy on chain 1 (mainnet's address book), not as the local chain 31337", async function () {
    this.timeout(180_000);
    // A local node stands in for the mainnet endpoint (no RPC is reachable here); what is checked is the chain id
    // the in-process network reports, which picks the address book.
    const node = await startHardhatNode();
    try {
      await rpc(node.url, "evm_mine");
      const failed = await hardhatRefused(["run", "deploy/deploy-vault.ts"], {
        FORK: "mainnet", MAINNET_RPC_URL: node.url, FORK_BLOCK: "1", DRY_RUN: "1",
      });
      expect(failed.stderr).to.include("In-process network: fork of mainnet at block 1");
      expect(failed.stdout).to.include("Network 'hardhat' (chain 1)");
      // Mainnet's addresses have no code on the stand-in: the deploy stops; it never deploys the local market.
      expect(failed.stdout).to.not.match(/local market/i);
    } finally {
      await node.stop();
    }
  });
});
