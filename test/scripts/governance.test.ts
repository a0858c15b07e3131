/**
 * Governance tasks (tasks/governance.ts) in-process through hre.run against the local stack: keepers, pause, stop,
 * parameter changes (tightening at once, loosening submitted, listed with time left, accepted, revoked), roles.
 * Bad inputs: one line, nothing sent.
 */
import { refused, runTask } from "../shared/tasks";
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture, time } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, parseEther } from "ethers";
import { refreshFeeds } from "../shared/market-helpers";
import type { PendingChange } from "../../scripts/lib/vault/governance";
import { vaultStackWorld } from "../factory/fixtures";

describe("governance tasks", () => {
  it("vault:set-keeper refuses the zero address and removing a non-keeper; vault:keepers lists the keepers", async () => {
    const { created, owner, keeper, stranger } = await loadFixture(vaultStackWorld);
    const v = { vault: created.address, signer: owner.address };
    expect(await refused("vault:set-keeper", { ...v, keeper: ZeroAddress })).to.match(/zero address/);
    expect(await refused("vault:set-keeper", { ...v, keeper: stranger.address, remove: true })).to.match(/is not a keeper of .*nothing to remove/);
    expect(await refused("vault:set-keeper", { vault: created.address, signer: stranger.address, keeper: stranger.address })).to.match(/only the manager/);
    await runTask("vault:set-keeper", { ...v, keeper: stranger.address });
    const { result } = await runTask<string[]>("vault:keepers", { vault: created.address });
    expect(result).to.have.members([keeper.address, stranger.address]);
    await runTask("vault:set-keeper", { ...v, keeper: stranger.address, remove: true });
    expect((await runTask<string[]>("vault:keepers", { vault: created.address })).result).to.deep.equal([keeper.address]);
  });

  it("pause / unpause and stop, by role; a deposit into the stopped vault is refused unless --allow-stopped", async () => {
    const { created, owner, stranger, alice } = await loadFixture(vaultStackWorld);
    const v = { vault: created.address, signer: owner.address };
    expect(await refused("vault:pause", { vault: created.address, signer: stranger.address })).to.match(/only the guardian .* or the manager/);
    await runTask("vault:pause", { ...v, dryRun: true });
    expect(await created.vault.depositsPaused()).to.equal(false);
    await runTask("vault:pause", v);
    expect(await created.vault.depositsPaused()).to.equal(true);
    await runTask("vault:unpause", v);
    expect(await created.vault.depositsPaused()).to.equal(false);
    await runTask("vault:stop", v);
    expect((await created.vault.automationState()).mode).to.equal(1n); // StoppedOut
    // The vault refuses deposits while stopped out (VaultStoppedOut, FAIR-1): the task says so, --allow-stopped or not.
    for (const allowStopped of [false, true]) {
      expect(await refused("vault:deposit", { vault: created.address, amount: "1", signer: alice.address, allowStopped })).to.match(
        /is StoppedOut: deposits are refused until the manager re-arms it \(vault:rearm\)$/,
      );
    }
    const { output } = await runTask("vault:rearm", v);
    expect(output).to.match(/submitted \(timelocked.*vault:accept-change --kind rearm/);
  });

  it("vault:set-config applies a tightening at once, submits a loosening; vault:pending shows it with time left; accept and revoke", async () => {
    const { created, owner, stranger, market } = await loadFixture(vaultStackWorld);
    const v = { vault: created.address, signer: owner.address };
    const before = await created.vault.leverageConfig();
    // Tightening: a lower max leverage applies at once.
    const tight = await runTask("vault:set-config", { ...v, kind: "leverage", set: "maxLeverage=3.2" });
    expect(tight.output).to.include("maxLeverage 3.3 -> 3.2").and.include("applied at once");
    expect((await created.vault.leverageConfig()).maxLeverage).to.equal(parseEther("3.2"));
    // Loosening: back up to 3.3 is submitted.
    const loose = await runTask("vault:set-config", { ...v, kind: "leverage", set: "maxLeverage=3.3" });
    expect(loose.output).to.match(/submitted \(timelocked/);
    expect((await created.vault.leverageConfig()).maxLeverage).to.equal(parseEther("3.2"));
    const pending = await runTask<PendingChange[]>("vault:pending", { vault: created.address });
    expect(pending.result).to.have.length(1);
    expect(pending.result[0]).to.include({ kind: "leverage", state: "waiting" });
    expect(pending.output).to.match(/leverage: targetLeverage=3, minLeverage=2\.7, maxLeverage=3\.3, minHealthFactor=[\d.]+; acceptable in \d+ h/);
    // Too early: one line, nothing sent.
    expect(await refused("vault:accept-change", { vault: created.address, kind: "leverage", signer: stranger.address })).to.match(/can be accepted in/);
    await time.increaseTo(pending.result[0].validAt);
    await refreshFeeds(market);
    await runTask("vault:accept-change", { vault: created.address, kind: "leverage", signer: stranger.address });
    expect((await created.vault.leverageConfig()).maxLeverage).to.equal(before.maxLeverage);
    // Revoke: submit again, then the guardian drops it.
    await runTask("vault:set-config", { ...v, kind: "leverage", set: "maxLeverage=3.2" });
    await runTask("vault:set-config", { ...v, kind: "leverage", set: "maxLeverage=3.3" });
    await runTask("vault:revoke-change", { ...v, kind: "leverage" });
    expect((await runTask<PendingChange[]>("vault:pending", { vault: created.address })).result).to.deep.equal([]);
    expect(await refused("vault:revoke-change", { ...v, kind: "leverage" })).to.match(/no leverage change is pending/);
  });

  it("vault:set-config refuses unknown kinds and fields, malformed values; a refused config is one line", async () => {
    const { created, owner } = await loadFixture(vaultStackWorld);
    const v = { vault: created.address, signer: owner.address };
    expect(await refused("vault:set-config", { ...v, kind: "nosuch", set: "a=1" })).to.match(/--kind must be one of/);
    expect(await refused("vault:set-config", { ...v, kind: "leverage", set: "leverage=3" })).to.match(/not a field of leverage \(fields: targetLeverage/);
    expect(await refused("vault:set-config", { ...v, kind: "leverage", set: "targetLeverage=-2" })).to.match(/targetLeverage must be a decimal number/);
    expect(await refused("vault:set-config", { ...v, kind: "automation", set: "cooldown=1.5" })).to.match(/cooldown must be a whole number/);
    // min above max: the vault's own check, decoded, one line.
    expect(await refused("vault:set-config", { ...v, kind: "leverage", set: "minLeverage=3.5" })).to.match(/VaultInvalidLeverageConfig/);
  });

  it("vault:status shows the effective target, timelock, pending changes and keepers (text and --json)", async () => {
    const { created, owner, keeper } = await loadFixture(vaultStackWorld);
    await runTask("vault:set-config", { vault: created.address, signer: owner.address, kind: "automation", set: "cooldown=600" });
    const text = await runTask("vault:status", { vault: created.address });
    expect(text.output).to.match(/effective target now: 3x/).and.match(/timelock 24 h 0 min/).and.include(`keepers: ${keeper.address}`);
    expect(text.output).to.match(/pending automation: .*cooldown=600.*; acceptable in 24 h 0 min/);
    const json = await runTask("vault:status", { vault: created.address, json: true });
    const parsed = JSON.parse(json.output) as { effectiveTarget: string; timelock: number; keepers: string[]; pending: { kind: string }[] };
    expect(parsed).to.include({ effectiveTarget: (3n * 10n ** 18n).toString(), timelock: 86_400 });
    expect(parsed.keepers).to.deep.equal([keeper.address]);
    expect(parsed.pending.map((p) => p.kind)).to.deep.equal(["automation"]);
  });

  it("vault:set-roles: owner only, no zero address", async () => {
    const { created, owner, stranger } = await loadFixture(vaultStackWorld);
    expect(await refused("vault:set-roles", { vault: created.address, signer: owner.address, guardian: ZeroAddress })).to.match(/zero address/);
    expect(await refused("vault:set-roles", { vault: created.address, signer: stranger.address, guardian: stranger.address })).to.match(/only the owner/);
    const guardian = await created.vault.guardian();
    const { output } = await runTask("vault:set-roles", { vault: created.address, signer: owner.address, guardian: stranger.address });
    expect(output).to.match(/timelocked: vault:pending, then vault:accept-change --kind guardian/);
    // A new guardian waits out the timelock (ROLE-2): pending, the old one still in place.
    expect(await created.vault.guardian()).to.equal(guardian);
    expect((await created.vault.pendingChange(7))[1]).to.be.gt(0n);
  });
});
