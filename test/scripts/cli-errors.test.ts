/**
 * Task errors as a user sees them from the command line: `npx hardhat <task>` in a child process, on the path where
 * Hardhat prints stack traces by default (CI, or Linux without a display server): one line on stderr, no stack trace,
 * no "An unexpected error occurred", exit code 1.
 */
import { expect } from "chai";
import { execFile } from "node:child_process";
import path from "node:path";

const ROOT = path.join(__dirname, "..", "..");

/** Runs `npx hardhat ...args` as Hardhat's CI path does; resolves with exit code and output (never rejects). */
function hardhat(args: string[], env: Record<string, string> = {}): Promise<{ code: number; stdout: string; stderr: string }> {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, CI: "true", ...env };
  delete childEnv.DISPLAY;
  delete childEnv.WAYLAND_DISPLAY;
  delete childEnv.HARDHAT_NETWORK;
  return new Promise((resolve) => {
    execFile("npx", ["hardhat", ...args], { cwd: ROOT, env: childEnv, timeout: 120_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number((error as { code?: number }).code ?? 1) : 0, stdout, stderr });
    });
  });
}

/** The non-empty lines of stderr, colour codes removed. */
const lines = (text: string) =>
  text
    .replace(/\u001b\[[0-9;]*m/g, "")
    .split("\n")
    .filter((line) => line.trim() !== "");

describe("task errors on the command line (Hardhat's CI path)", function () {
  this.timeout(240_000);

  for (const [what, args, env, message] of [
    [
      "a malformed amount and address",
      ["vault:deposit", "--vault", "0x12", "--amount", "1e3"],
      {},
      "Error in plugin levered-vaults: --vault '0x12' is not an address (0x followed by 40 hex digits); --amount '1e3': write the number without an exponent (e.g. 1000, not 1e3)",
    ],
    [
      "a live network without its RPC URL",
      ["vault:status", "--vault", "0x0000000000000000000000000000000000000001", "--network", "arbitrum"],
      { ARBITRUM_RPC_URL: "" },
      "Error in plugin levered-vaults: --network arbitrum needs ARBITRUM_RPC_URL: set it in .env (see .env.example)",
    ],
    [
      "an address without a vault",
      ["vault:status", "--vault", "0x000000000000000000000000000000000000dEaD"],
      {},
      "Error in plugin levered-vaults: no contract at 0x000000000000000000000000000000000000dEaD on 'hardhat'",
    ],
    [
      "a missing required task option (HH306)",
      ["vault:status"],
      {},
      "Error HH306: The '--vault' parameter of task 'vault:status' expects a value, but none was passed.",
    ],
    [
      "an unknown network (HH100)",
      ["vault:status", "--vault", "0x000000000000000000000000000000000000dEaD", "--network", "nosuch"],
      {},
      "Error HH100: Network nosuch doesn't exist",
    ],
    [
      "a malformed DEPLOYER_PRIVATE_KEY (was HH8)",
      ["vault:status", "--vault", "0x000000000000000000000000000000000000dEaD", "--network", "sepolia"],
      { SEPOLIA_RPC_URL: "http://127.0.0.1:9", DEPLOYER_PRIVATE_KEY: "0x1234" },
      "Error in plugin levered-vaults: DEPLOYER_PRIVATE_KEY is not a private key (0x followed by 64 hex digits): check .env",
    ],
    [
      "a malformed KEEPER_PRIVATE_KEY",
      ["keeper:run", "--registry", "0x000000000000000000000000000000000000dEaD", "--rpc-urls", "http://127.0.0.1:9", "--once"],
      { KEEPER_PRIVATE_KEY: "not-a-key" },
      "Error in plugin levered-vaults: KEEPER_PRIVATE_KEY is not a private key (0x followed by 64 hex digits): check .env",
    ],
    [
      "a node that does not answer (HH108)",
      ["vault:status", "--vault", "0x000000000000000000000000000000000000dEaD", "--network", "localhost"],
      { LOCALHOST_RPC_URL: "http://127.0.0.1:9" },
      "Error in plugin levered-vaults: cannot reach the 'localhost' node at http://127.0.0.1:9: is it running? (LOCALHOST_RPC_URL; HH108: Cannot connect to the network localhost.)",
    ],
    ["FORK=foo", ["vault:status", "--vault", "0x000000000000000000000000000000000000dEaD"], { FORK: "foo" }, "Error in plugin levered-vaults: FORK=foo: expected one of mainnet, arbitrum, base, optimism, sepolia"],
    [
      "FORK=mainnet without its URL",
      ["vault:status", "--vault", "0x000000000000000000000000000000000000dEaD"],
      { FORK: "mainnet", MAINNET_RPC_URL: "" },
      "Error in plugin levered-vaults: FORK=mainnet needs MAINNET_RPC_URL: set it in .env (see .env.example)",
    ],
  ] as const) {
    it(`${what}: one line, exit code 1`, async () => {
      const { code, stdout, stderr } = await hardhat([...args], env);
      expect(code).to.equal(1);
      // Hardhat's own errors may add its "For more info" pointer outside CI; on the CI path it is the message alone.
      expect(lines(stderr)[0]).to.satisfy((line: string) => line === message || line.startsWith(message));
      expect(lines(stderr)).to.have.length(1);
      expect(stdout + stderr).to.not.match(/unexpected error|^\s+at /m);
    });
  }
});
