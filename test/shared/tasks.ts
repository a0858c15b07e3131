/** Running Hardhat tasks in-process from tests. */
import hre from "hardhat";

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
