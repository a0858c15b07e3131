/** Running Hardhat tasks in-process from tests. */
import hre from "hardhat";
import { expect } from "chai";

/** Runs a task with console.log captured: returns what it returned and what it printed. */
export async function runTask<T>(name: string, args: Record<string, unknown>): Promise<{ result: T; output: string }> {
  const lines: string[] = [];
  const log = console.log;
  console.log = (...parts: unknown[]) => lines.push(parts.map(String).join(" "));
  try {
    const result = (await hre.run(name, args)) as T;
    return { result, output: lines.join("\n") };
  } finally {
    console.log = log;
  }
}

/** Runs a task that must fail: its message, asserted one line; asserts no block was mined (nothing sent). */
export async function refused(name: string, args: Record<string, unknown>): Promise<string> {
  const block = await hre.ethers.provider.getBlockNumber();
  let message = "";
  await runTask(name, args).then(
    () => expect.fail(`${name} should have failed`),
    (error: Error) => (message = error.message),
  );
  expect(message.split("\n")).to.have.length(1);
  expect(await hre.ethers.provider.getBlockNumber()).to.equal(block);
  return message;
}
