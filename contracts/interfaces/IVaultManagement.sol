// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

import {ILeverageVault} from "./ILeverageVault.sol";
import {IVaultAutomation} from "./IVaultAutomation.sol";

/// @title IVaultManagement
/// @notice Roles and parameters of a leveraged vault. Every parameter has hard bounds and every change an event.
///         Roles: the owner (two-step transfer) appoints manager and guardian; the manager sets parameters,
///         keepers and re-arms; the guardian may pause deposits, latch the stop and revoke pending changes.
///         No role can move depositors' funds anywhere but to share holders on exit.
///         Timelock, judged by effect (ROLE-2): a change applies at once only when it cannot (a) let any action
///         trade at wider bounds than before, (b) stop the keeper or the ripcord from delevering a position at or
///         below the floor, (c) make an exit fail, or (d) cost holders more than `maxEquityLossBps` of what an action
///         trades. Every other change, in either direction, is submitted, waits `timelock()` seconds, then anyone
///         may accept it during `PENDING_VALIDITY`; the guardian, manager or owner may revoke it before. Depositors
///         see it coming (`ChangeSubmitted`, `pendingChange`) and can exit before it applies. What applies at once:
///         leverage target and band lowered with the HF floor unchanged, the deposit cap, a longer cooldown alone,
///         stops raised or added and take-profits lowered or added, volatility-aware leverage turned on or made more
///         prudent, a longer timelock, the manager, keepers, pausing deposits, and the guardian's `stop()`.
interface IVaultManagement {
    /// @notice What a pending change changes.
    enum ChangeKind {
        Leverage,
        Execution,
        Automation,
        Exit,
        Timelock,
        Rearm,
        Volatility,
        Guardian,
        Fees, // appended (issue 21): management / performance fee rates
        KeeperPay, // appended (issue 21): keeper gas reimbursement
        Outage, // IVaultOutageTypes.OutageConfig, served by the settings module
        Venue // appended (issue 20): the implementation (venue) a refinance moves to, served by the settings module
    }

    /// @notice Everything a vault starts with; applied once through `initialize` from the vault's constructor.
    struct InitParams {
        address owner;
        address manager;
        address guardian;
        ILeverageVault.LeverageConfig leverage;
        ILeverageVault.ExecutionConfig execution;
        IVaultAutomation.AutomationConfig automation;
        IVaultAutomation.ExitConfig exits;
        IVaultAutomation.VolatilityConfig volatility;
    }

    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event RolesSet(address manager, address guardian);
    event DepositsPausedSet(address indexed by, bool paused);
    event LeverageConfigSet(ILeverageVault.LeverageConfig config);
    event ExecutionConfigSet(ILeverageVault.ExecutionConfig config);
    event KeeperSet(address indexed keeper, bool allowed);
    event AutomationConfigSet(IVaultAutomation.AutomationConfig config);
    event ExitConfigSet(IVaultAutomation.ExitConfig config);
    event VolatilityConfigSet(IVaultAutomation.VolatilityConfig config);
    event ModeChanged(IVaultAutomation.Mode mode, address indexed by);
    /// @notice A loosening change was submitted; `data` is the ABI-encoded new value, `validAt` in s.
    event ChangeSubmitted(ChangeKind indexed kind, bytes data, uint256 validAt);
    /// @notice A pending change was revoked before it applied.
    event ChangeRevoked(ChangeKind indexed kind, address indexed by);
    /// @notice The timelock is now `timelock` seconds.
    event TimelockSet(uint256 timelock);


    /// @notice `initialize` ran already.
    error VaultAlreadyInitialized();
    error KeeperInvalidAutomationConfig(IVaultAutomation.AutomationConfig config);
    error KeeperInvalidExitConfig(IVaultAutomation.ExitConfig config);
    error KeeperInvalidVolatilityConfig(IVaultAutomation.VolatilityConfig config);
    /// @notice A timelock outside [MIN_TIMELOCK, MAX_TIMELOCK] (s).
    error VaultInvalidTimelock(uint256 timelock);
    /// @notice Nothing of `kind` is pending.
    error VaultNoPendingChange(ChangeKind kind);
    /// @notice The pending change may be accepted from `validAt` (s) on.
    error VaultTimelockNotElapsed(uint256 validAt);
    /// @notice The pending change could be accepted until `expiredAt` (s) only.
    error VaultPendingChangeExpired(uint256 expiredAt);
    /// @notice A re-arm needs a latched mode (stopped out or profit taken); the vault is active.
    error VaultNotStopped();

    /// @notice Once, from the vault's constructor.
    function initialize(InitParams calldata params) external;

    /// @notice Owner only. A raise applies at once; a cut waits out the current timelock.
    ///         Reverts `VaultInvalidTimelock` outside [1 day, 14 days].
    function setTimelock(uint256 newTimelock) external;

    /// @notice Anyone, from `validAt` until `validAt + PENDING_VALIDITY`: applies the pending change of `kind`,
    ///         validated again against the market as it is then.
    function acceptChange(ChangeKind kind) external;

    /// @notice Guardian, manager or owner: drops the pending change of `kind`.
    function revokeChange(ChangeKind kind) external;

    /// @notice Owner only. The manager applies at once; a new guardian waits out the timelock (`ChangeKind.Guardian`,
    ///         MetaMorpho's rule: the owner cannot remove at once the one role that revokes), and naming the current
    ///         guardian drops a pending replacement. Zero addresses are refused with `VaultInvalidRole`.
    function setRoles(address newManager, address newGuardian) external;

    /// @notice Manager only. Reverts `VaultInvalidLeverageConfig` when target LTV > market max LTV - buffer,
    ///         band-top LTV > liquidation threshold - buffer, band inconsistent, the health-factor floor
    ///         is not in (1, HF at target], below the critical HF, or the target is below the take-profit
    ///         leverage. At once: target, min and max leverage not raised and the HF floor unchanged; any other
    ///         change (a raised floor arms the urgent bounds, so it waits too) is timelocked.
    function setLeverageConfig(ILeverageVault.LeverageConfig calldata config) external;

    /// @notice Manager only. Slippage in [1, 500] bps and within the equity-loss bound less the flash premium;
    ///         a pool must exist for the fee tier. Timelocked: any change of slippage (a cut can freeze exits) or
    ///         fee tier. The deposit cap alone applies at once either way.
    function setExecutionConfig(ILeverageVault.ExecutionConfig calldata config) external;

    /// @notice Manager only. Critical HF in (1, HF floor], deviation and loss in [1, 1000] bps, loss >= slippage
    ///         + flash premium, reward <= 100 bps, trade size > 0, cooldown <= 7 days. At once: a longer cooldown
    ///         alone. Timelocked: any other change in either direction (a smaller trade size or deviation can stop
    ///         the backstop, a higher critical HF arms the urgent bounds).
    function setAutomationConfig(IVaultAutomation.AutomationConfig calldata config) external;

    /// @notice Manager only. Take-profit leverage in [1x, target], stop below take-profit, trail < 50%.
    ///         Loosening (timelocked): stop-loss lowered or removed, trail widened or removed, take-profit price
    ///         raised or removed, take-profit leverage up, stop-to-debt-asset flag changed.
    function setExitConfig(IVaultAutomation.ExitConfig calldata config) external;

    /// @notice Manager only. Off (horizon 0), or horizon in [10 min, 7 days], k in [1, 10] sigma (100..1000),
    ///         rounds in [2, 48], floor leverage in [1x, target]. Loosening (timelocked): turning it off, a shorter
    ///         horizon, a smaller k, a higher floor leverage, another round count.
    function setVolatilityConfig(IVaultAutomation.VolatilityConfig calldata config) external;

    /// @notice Guardian or manager: latch the stop so keepers unwind to 1x (risk reduction only).
    function stop() external;

    /// @notice Manager only, while stopped out or profit taken (else `VaultNotStopped`): submits a return to
    ///         Active (which re-levers), so it waits out the timelock. A stop drops it; accepting it needs the
    ///         vault still latched, and resets the high-water mark to the oracle price of that moment.
    function rearm() external;

    /// @notice The venue's rates for this vault's position now (wad per year, simple): what the supplied collateral
    ///         earns (0 on Morpho Blue, which does not lend collateral) and what the debt costs. Carry on equity at
    ///         leverage L: L x supply - (L - 1) x borrow (a staked-ETH loop also earns L x the staking yield).
    function venueRates() external view returns (uint256 supplyRatePerYear, uint256 borrowRatePerYear);
}
