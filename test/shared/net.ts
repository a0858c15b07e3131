import net from "node:net";

/** A TCP port free on 127.0.0.1 right now (the OS picks it), for a `hardhat node` or an HTTP endpoint a test starts. */
export async function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}
