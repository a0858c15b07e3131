// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IVaultAutomation
/// @notice Guarded risk management of a leveraged vault. Keepers choose only *when* to call: the vault decides
///         whether and how much from oracle data, bounds every swap by the oracle, and checks the result.
///         Units: leverage and health factor wad, prices wad debt-asset per collateral, ratios bps.
interface IVaultAutomation {
    /// @notice What a keeper call would do now.
    enum Action {
        None,
        DeleverBand, // leverage above the band: delever to target (cooldown applies)
        ReleverBand, // leverage below the band: lever up to target (cooldown applies)
        DeleverHealth, // health factor below the floor: delever to target, no cooldown
        StopLoss, // price at or below the stop: unwind to 1x (or into the debt asset), latched
        TrailingStop, // price at or below high-water mark * (1 - trail): as stop-loss
        TakeProfit, // price at or above take-profit: reduce to the take-profit leverage, latched
        Ripcord, // health factor below critical: anyone may delever, for a bounded reward
        Poke, // trailing stop armed and the price a tenth of the trail above the high-water mark: raise it
        OutageDelever // a feed stale past heartbeat + grace: anyone may delever, priced at the pool's TWAP (OUTAGE-1)
    }

    /// @notice Latched state after an exit trigger; only the manager re-arms.
    enum Mode {
        Active,
        StoppedOut,
        ProfitTaken
    }

    struct AutomationConfig {
        uint64 criticalHealthFactor; // wad, ripcord allowed below (must be <= the health-factor floor)
        uint16 maxDexDeviationBps; // bps, max |DEX spot - oracle| / oracle for any action
        uint16 maxEquityLossBps; // bps of the value an action trades that it may cost in oracle equity
        uint32 cooldown; // s between band rebalances
        uint16 ripcordRewardBps; // bps of the debt value a ripcord repays, paid to its caller
        uint96 maxTradeSize; // debt units repaid or borrowed per call; larger moves proceed in chunks
        uint128 ripcordRewardCap; // collateral units paid at most for a full `maxTradeSize` chunk, pro rata below
    }

    struct ExitConfig {
        uint128 stopLossPrice; // wad debt per collateral, 0 = off
        uint128 takeProfitPrice; // wad debt per collateral, 0 = off
        uint64 takeProfitLeverage; // wad, leverage kept after take-profit (1e18 = 1x)
        uint16 trailBps; // bps below the high-water mark that trips the trailing stop, 0 = off
        bool stopToDebtAsset; // on stop, sell all collateral into the debt asset instead of holding 1x
    }

    /// @notice Volatility-aware leverage: the effective target (and band) falls so that a `sigmaMultiple`-sigma
    ///         move of the collateral price over `horizon` cannot take the health factor below 1. Sigma is the
    ///         realised volatility of the collateral feed's last `rounds` answers (oracle data only).
    struct VolatilityConfig {
        uint32 horizon; // s, the keeper's reaction horizon; 0 = off
        uint16 sigmaMultiple; // k in hundredths (300 = 3 sigma)
        uint8 rounds; // feed rounds the realised volatility is read from, 2..48
        uint64 floorLeverage; // wad, the effective target never goes below it (>= 1x, <= target)
    }

    struct AutomationState {
        Mode mode;
        uint40 lastRebalanceAt; // s, last band rebalance
        // wad debt per collateral: the trailing stop's PRICE mark, highest oracle price seen since (re-)arming.
        // Not the fee high-water mark (`IVaultManagement.FeeState.feeSharePriceMark`, a share price).
        uint128 highWaterMark;
    }

    /// @notice Keeper gas reimbursement (off while `multiplierBps` is 0). A paid action pays its keeper, in
    ///         collateral, the least of: gas used * min(tx.gasprice, maxGasPrice) * multiplierBps / 1e4 at the oracle
    ///         price of the gas token; maxPerAction * (value traded / maxTradeSize) (linear in the work, KEEPER-PAY-2);
    ///         the room left in the action's equity-loss bound (VAULT-EQ-1 holds with the pay); what keeps its
    ///         health-factor and leverage post-conditions; and what is left of maxPerDay today (UTC day).
    struct KeeperPayConfig {
        uint16 multiplierBps; // bps of the gas cost, <= 12000 (1.2x); 0 = off
        bool gasTokenIsDebt; // the gas token is priced by the debt feed (e.g. WETH debt), else by the collateral feed
        uint64 maxGasPrice; // wei, the gas price counted at most
        uint96 maxPerAction; // collateral units, for a full `maxTradeSize` action, pro rata below
        uint96 maxPerDay; // collateral units paid at most per UTC day, all keepers together
    }

    struct KeeperPayState {
        uint32 day; // block.timestamp / 1 days of the last payment
        uint96 paidToday; // collateral units paid on `day`
    }

    event HighWaterMarkRaised(uint256 highWaterMark);
    /// @notice An action ran; health factors and leverages wad.
    event ActionExecuted(
        Action indexed action,
        address indexed caller,
        uint256 leverageBefore,
        uint256 leverageAfter,
        uint256 healthFactorBefore,
        uint256 healthFactorAfter
    );
    event RipcordRewardPaid(address indexed caller, uint256 assets);
    /// @notice A keeper was reimbursed `assets` (collateral units) for `gasUsed` gas counted at `gasPrice` wei.
    event KeeperPaid(address indexed keeper, uint256 assets, uint256 gasUsed, uint256 gasPrice);

    /// @notice No trigger is active.
    error KeeperNothingToDo();
    /// @notice A band rebalance is not allowed before `readyAt` (s).
    error KeeperCooldownActive(uint256 readyAt);
    /// @notice The DEX spot price `spotPrice` deviates from `oraclePrice` by more than the bound (both wad).
    error KeeperDexDeviation(uint256 spotPrice, uint256 oraclePrice);
    /// @notice The pool moved `movedBps` earlier in this block, more than `maxMoveBps`: a same-block sandwich is
    ///         refused (the start-of-block price comes from the pool's own observations).
    error KeeperPoolMovedInBlock(uint256 movedBps, uint256 maxMoveBps);
    /// @notice The pool's spot `spotPrice` sits so far on the wrong side of `oraclePrice` (both wad) that the
    ///         slippage and deviation bounds leave no room for a trade; the trigger reports nothing due meanwhile.
    error KeeperNoTradeRoom(uint256 spotPrice, uint256 oraclePrice);
    /// @notice The market's supply or borrow cap leaves `room` debt units (or less) for a lever-up: nothing to trade.
    error KeeperMarketCapReached(uint256 room);
    /// @notice Post-condition: a deleverage lowered the health factor.
    error KeeperHealthFactorDecreased(uint256 before, uint256 afterAction);
    /// @notice Post-condition: leverage did not move toward `target`.
    error KeeperLeverageNotImproved(uint256 before, uint256 afterAction, uint256 target);
    /// @notice Post-condition: the action cost `loss` of oracle equity, above `maxLoss` (wad USD), which is
    ///         `maxEquityLossBps` of the value it traded (plus the ripcord reward). Scaling by the trade, not by
    ///         equity, keeps a deleverage from a thin, over-levered position possible.
    error KeeperEquityLossExceeded(uint256 loss, uint256 maxLoss);
    /// @notice The ripcord needs a health factor below `critical`; it is `healthFactor`.
    error KeeperRipcordNotArmed(uint256 healthFactor, uint256 critical);
    /// @notice Called on the module's own address instead of through its vault.
    error KeeperNotDelegated();
}

/// @title IVaultKeeper
/// @notice The keeper entry points of a leveraged vault, served by its automation module. Their views
///         (IVaultKeeperViews), the ripcord and the outage deleverage (IVaultEmergency) are the emergency module's.
///         Types, events and errors are IVaultAutomation's.
interface IVaultKeeper is IVaultAutomation {
    /// @notice Keeper only (`VaultUnauthorized`), except a deleverage at or below the health-factor floor, which
    ///         anyone may run: no change to the keeper set, applied at once, leaves such a position without someone
    ///         able to delever (ROLE-2 (b)). Runs the active trigger with every guard; reverts `KeeperNothingToDo`
    ///         when none. Keeper pay goes to allow-listed keepers only.
    function rebalance() external returns (Action action);

    /// @notice Anyone: raises the high-water mark to the current oracle price and puts idle balances to work (idle
    ///         debt asset repays debt, idle collateral is supplied unless stopped out), as every keeper action and
    ///         the ripcord do first: whatever is sent to the vault then protects its health factor.
    function poke() external;

    /// @notice Chainlink Automation: `rebalance()` (keeper only, but at or below the floor); ignores `performData` and
    ///         re-validates everything.
    function performUpkeep(bytes calldata performData) external;
}

/// @title IVaultKeeperViews
/// @notice What keepers read before they call (IVaultKeeper): the due action and the bounds it trades at, served by
///         the emergency module from the same decision and guard code as `rebalance` (AutomationModule).
interface IVaultKeeperViews is IVaultAutomation {
    /// @notice The action the policy makes due now (`None` when none or held back by the cooldown) and the
    ///         calldata to send (`rebalance()`). `needed` is true only when `rebalance()` from a keeper would run
    ///         that action in this block (TRIGGER-1): an action whose pool moved within the block, sits off the
    ///         oracle or leaves no trade room is reported with `needed == false` until the market allows it.
    function trigger() external view returns (bool needed, Action action, bytes memory callData);

    /// @notice Chainlink Automation: `performData` is informational only.
    function checkUpkeep(bytes calldata checkData) external view returns (bool upkeepNeeded, bytes memory performData);
    /// @notice Slippage and DEX-deviation bounds (bps) a health deleverage or the ripcord may use now. At or above
    ///         the HF floor they are the configured ones; below it both widen linearly, reaching at the critical HF
    ///         (and below) `URGENT_BONUS_SHARE_BPS` (75%) of the market's liquidation bonus (375 bps for a 5% bonus),
    ///         never narrower than configured. Stops and take-profits that repay debt use the same bounds (a stop
    ///         below the floor must still delever); band rebalances keep the configured bounds.
    function healthActionBounds() external view returns (uint256 slippageBps, uint256 maxDexDeviationBps);

    /// @notice The leverage target the automation and deposits aim for now (wad): the configured target (or the
    ///         take-profit leverage, 1x once stopped), lowered by the volatility-aware rule when it is on.
    /// @return target wad effective target leverage
    /// @return sigmaPerSqrtSecond wad realised volatility of the collateral feed per sqrt(second) (0 when off)
    function effectiveTargetLeverage() external view returns (uint256 target, uint256 sigmaPerSqrtSecond);

    /// @notice Gelato resolver: same decision as `trigger`.
    function checker() external view returns (bool canExec, bytes memory execPayload);
}
