/**
 * Counts the JSON-RPC requests that reach a node. Installed on Hardhat's network provider (`hre.network.provider`,
 * the object every hardhat-ethers provider, signer and contract sends through), it sees every request made while
 * it is active, whatever issued it: eth_call, but also eth_chainId, eth_blockNumber, estimates and the like.
 */

/** The request surfaces of Hardhat's provider (EIP-1193 `request` plus the legacy `send` / `sendAsync`). */
export interface CountableProvider {
  request(args: { method: string; params?: unknown[] | object }): Promise<unknown>;
  send?(method: string, params?: unknown[]): Promise<unknown>;
  sendAsync?(payload: unknown, callback: (...args: unknown[]) => void): void;
}

export interface RpcCounter {
  /** Requests seen since the counter was installed or last reset. */
  readonly total: number;
  /** The same, per JSON-RPC method. */
  readonly byMethod: Readonly<Record<string, number>>;
  reset(): void;
  /** Uninstalls the counter; the provider behaves exactly as before. */
  stop(): void;
}

/**
 * Wraps the provider's own `request`, `send` and `sendAsync` (instance properties shadowing the prototype's) so that
 * each request is counted once, at the outermost entry point. Hardhat's outer provider forwards `send` to its inner
 * provider's `send`, not to its own `request`, so no request is counted twice. Batch payloads given to `sendAsync`
 * count one per element. `onRequest`, when given, sees each counted request's method and params.
 */
export function countRpc(
  provider: CountableProvider,
  onRequest?: (method: string, params: unknown) => void,
): RpcCounter {
  const byMethod: Record<string, number> = {};
  let total = 0;
  const seen = (method: string, params?: unknown) => {
    total += 1;
    byMethod[method] = (byMethod[method] ?? 0) + 1;
    onRequest?.(method, params);
  };
  const target = provider as unknown as Record<string, unknown>;
  const own = ["request", "send", "sendAsync"].filter((key) => Object.prototype.hasOwnProperty.call(target, key));
  const saved = Object.fromEntries(own.map((key) => [key, target[key]]));
  const { request, send, sendAsync } = provider;

  target.request = (args: { method: string; params?: unknown[] | object }) => {
    seen(args.method, args.params);
    return request.call(provider, args);
  };
  if (send) {
    target.send = (method: string, params?: unknown[]) => {
      seen(method, params);
      return send.call(provider, method, params);
    };
  }
  if (sendAsync) {
    target.sendAsync = (payload: unknown, callback: (...args: unknown[]) => void) => {
      for (const item of Array.isArray(payload) ? payload : [payload]) {
        seen((item as { method: string }).method, (item as { params?: unknown }).params);
      }
      return sendAsync.call(provider, payload, callback);
    };
  }

  return {
    get total() {
      return total;
    },
    get byMethod() {
      return { ...byMethod };
    },
    reset() {
      total = 0;
      for (const key of Object.keys(byMethod)) delete byMethod[key];
    },
    stop() {
      for (const key of ["request", "send", "sendAsync"]) {
        if (key in saved) target[key] = saved[key];
        else delete target[key];
      }
    },
  };
}
