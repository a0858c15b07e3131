/**
 * The README's "Rehearse a crash on localhost" block, run as written: its commands are read from README.md (shell
 * continuation lines joined, `<vault>` / `<registry>` filled in from the deployment record), each run through `sh -c`
 * against a `hardhat node` started here; the keeper is left running as in its terminal 3 (metrics on a free port
 * instead of 9464). Each step's comment names the action the keeper must take; the test waits for it.
 */
import { expect } from "chai";
import { execFile, spawn, type ChildProcess } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { freeLoopbackPort } from "../shared/net";

const ROOT = path.join(__dirname, "..", "..");

/** The shell commands of the README section `heading`, continuation lines joined, with their trailing comments. */
export function readmeCommands(heading: string): { command: string; comment: string }[] {
  const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
  const section = readme.slice(readme.indexOf(heading));
  const block = /```sh\n([\s\S]*?)```/.exec(section)![1];
  const joined = block.replace(/\\\n\s*/g, "");
  return joined
    .split("\n")
    .filter((line) => line.trim() && !line.trim().startsWith("#"))
    .map((line) => {
      const hash = line.indexOf(" # ");
      return hash === -1 ? { command: line.trim(), comment: "" } : { command: line.slice(0, hash).trim(), comment: line.slice(hash + 3).trim() };
    });
}

describe("README: rehearse a crash on localhost, as written", function () {
  this.timeout(900_000);
  const children: ChildProcess[] = [];
  after(() => {
    for (const child of children) if (child.exitCode === null) child.kill("SIGKILL");
  });

  it("deploys, deposits, and the running keeper takes DeleverBand, DeleverHealth, then StopLoss; status shows StoppedOut", async () => {
    const commands = readmeCommands("### Rehearse a crash on localhost");
    expect(commands.map((c) => c.command.split(" ").slice(0, 3).join(" "))).to.include.members(["npx hardhat node", "npx hardhat keeper:run"]);
    const port = await freeLoopbackPort();
    const metricsPort = await freeLoopbackPort();
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rehearsal-"));
    const env = { ...process.env, LOCALHOST_RPC_URL: `http://127.0.0.1:${port}`, DEPLOYMENTS_DIR: dir };
    const sh = (command: string) =>
      new Promise<string>((resolve, reject) =>
        execFile("sh", ["-c", command], { cwd: ROOT, env, timeout: 300_000, maxBuffer: 16 << 20 }, (error, stdout, stderr) =>
          error ? reject(new Error(`${command}\n${stderr || stdout}`)) : resolve(stdout),
        ),
      );
    let keeperOutput = "";
    const waitFor = async (pattern: RegExp, what: string, from: number) => {
      const deadline = Date.now() + 180_000;
      while (!pattern.test(keeperOutput.slice(from))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; keeper output:\n${keeperOutput.slice(-3000)}`);
        await new Promise((resolve) => setTimeout(resolve, 250));
      }
    };
    let record: { vaults: { address: string }[]; registry: string } | undefined;
    const fill = (command: string) =>
      command
        .replace(/<vault>/g, record?.vaults[0].address ?? "<vault>")
        .replace(/<registry>/g, record?.registry ?? "<registry>")
        .replace(/--metrics-port 9464/, `--metrics-port ${metricsPort}`);

    for (const { command, comment } of commands) {
      if (command === "npx hardhat node") {
        const node = spawn("npx", ["hardhat", "node", "--port", String(port)], { cwd: ROOT, env });
        children.push(node);
        await new Promise<void>((resolve, reject) => {
          node.stdout!.on("data", (chunk: Buffer) => chunk.toString().includes("Started HTTP") && resolve());
          node.once("exit", (code) => reject(new Error(`hardhat node exited ${code}`)));
        });
      } else if (command.startsWith("npx hardhat keeper:run")) {
        const keeper = spawn("sh", ["-c", fill(command)], { cwd: ROOT, env });
        children.push(keeper);
        keeper.stdout!.on("data", (chunk: Buffer) => (keeperOutput += chunk.toString()));
        keeper.stderr!.on("data", (chunk: Buffer) => (keeperOutput += chunk.toString()));
        await waitFor(/pass: /, "the keeper's first pass", 0);
      } else if (command.startsWith("curl")) {
        const metrics = await (await fetch(`http://127.0.0.1:${metricsPort}/metrics`)).text();
        for (const action of ["DeleverBand", "DeleverHealth", "StopLoss"]) {
          expect(metrics).to.match(new RegExp(`keeper_actions_total\\{call="rebalance",action="${action}",outcome="mined"\\} [1-9]`));
        }
      } else {
        const from = keeperOutput.length;
        const out = await sh(fill(command));
        if (command.includes("deploy/deploy-vault.ts")) record = JSON.parse(fs.readFileSync(path.join(dir, "localhost.json"), "utf8"));
        const expected = /(DeleverBand|DeleverHealth|StopLoss)/.exec(comment)?.[1];
        if (command.includes("market:set-price") && expected) {
          await waitFor(new RegExp(`rebalance\\(\\) ${expected}: gas`), `${expected} after '${command}'`, from);
        }
        if (command.includes("vault:status")) {
          if (process.env.REHEARSAL_STATUS_FILE) fs.writeFileSync(process.env.REHEARSAL_STATUS_FILE, out);
          expect(out).to.match(/mode StoppedOut/).and.match(/leverage\W+1(\.0+)?x/);
        }
      }
    }
  });
});
