import { expect } from "chai";
import net from "node:net";
import type { ChildProcess } from "node:child_process";
import { startHardhatNode } from "./targets";

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
