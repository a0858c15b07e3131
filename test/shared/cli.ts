/** Running the project's Hardhat command line in a child process from tests (deploy scripts, tasks on a node). */
import path from "node:path";
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect } from "chai";

/** The repository root, the child processes' working directory. */
export const ROOT = path.join(__dirname, "..", "..");
const run = promisify(execFile);

/** `npx hardhat <args>` with `env` over this process's environment: its stdout and stderr; rejects on a non-zero exit. */
export async function hardhat(args: string[], env: Record<string, string> = {}) {
  return run("npx", ["hardhat", ...args], { cwd: ROOT, env: { ...process.env, ...env }, maxBuffer: 16 * 1024 * 1024, timeout: 240_000 });
}

/** `hardhat(args, env)` expected to fail: its exit code and output. */
export async function hardhatRefused(args: string[], env: Record<string, string>) {
  const failed = await hardhat(args, env).then(
    () => undefined,
    (error: { code: number; stdout: string; stderr: string }) => error,
  );
  expect(failed, `${JSON.stringify(env)} should fail`).to.not.equal(undefined);
  return failed!;
}
