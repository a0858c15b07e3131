/**
 * Names the revert of a vault call: custom errors of the vault, its module and its adapters (all in the
 * artifacts' ABIs), `Error(string)` (Aave's numeric codes) and `Panic(uint256)`.
 */
import { readFileSync } from "node:fs";
import { AbiCoder, Interface, type ErrorFragment, type JsonFragment } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

const ERROR_STRING = "0x08c379a0";
const PANIC = "0x4e487b71";

export type ErrorDecoder = (error: unknown) => string;

/** Aave V3's numeric error codes -> names, read from the package's Errors.sol ('46' -> COLLATERAL_CANNOT_BE_LIQUIDATED). */
function aaveErrorNames(): Map<string, string> {
  const names = new Map<string, string>();
  try {
    const source = readFileSync(require.resolve("@aave/core-v3/contracts/protocol/libraries/helpers/Errors.sol"), "utf8");
    for (const m of source.matchAll(/string public constant (\w+) = '(\d+)'/g)) names.set(m[2], m[1]);
  } catch {
    // names are a convenience: codes stay readable without them
  }
  return names;
}

/** Revert data carried by an ethers / hardhat error, wherever it sits. */
function revertData(error: unknown): string | undefined {
  const seen = new Set<unknown>();
  const stack: unknown[] = [error];
  while (stack.length) {
    const e = stack.pop();
    if (!e || typeof e !== "object" || seen.has(e)) continue;
    seen.add(e);
    const data = (e as { data?: unknown }).data;
    if (typeof data === "string" && data.startsWith("0x") && data.length >= 10) return data;
    for (const key of ["error", "info", "cause", "data"]) stack.push((e as Record<string, unknown>)[key]);
  }
  return undefined;
}

/** One decoder over the errors of every named artifact (unknown names are skipped). */
export async function errorDecoder(hre: HardhatRuntimeEnvironment, artifactNames: string[]): Promise<ErrorDecoder> {
  const fragments = new Map<string, JsonFragment>();
  for (const name of artifactNames) {
    if (!(await hre.artifacts.artifactExists(name))) continue;
    for (const f of (await hre.artifacts.readArtifact(name)).abi as JsonFragment[]) {
      if (f.type === "error") fragments.set(`${f.name}(${(f.inputs ?? []).map((i) => i.type).join(",")})`, f);
    }
  }
  const iface = new Interface([...fragments.values()]);
  const coder = AbiCoder.defaultAbiCoder();
  const aave = aaveErrorNames();
  return (error: unknown) => {
    const data = revertData(error);
    if (data) {
      const selector = data.slice(0, 10);
      try {
        if (selector === ERROR_STRING) {
          const reason = coder.decode(["string"], "0x" + data.slice(10))[0] as string;
          return aave.has(reason) ? `Aave ${aave.get(reason)} ('${reason}')` : `Error(${JSON.stringify(reason)})`;
        }
        if (selector === PANIC) return `Panic(0x${(coder.decode(["uint256"], "0x" + data.slice(10))[0] as bigint).toString(16)})`;
        const parsed = iface.parseError(data);
        if (parsed) return `${(parsed.fragment as ErrorFragment).name}(${parsed.args.map(String).join(", ")})`;
      } catch {
        // fall through to the raw data
      }
      return `revert ${data.slice(0, 74)}`;
    }
    const message = error instanceof Error ? error.message : String(error);
    return message.split("\n")[0].slice(0, 200);
  };
}
