// SPDX-License-Identifier: MIT
pragma solidity ^0.8.20;

/// @title IVaultOutageTypes
/// @notice The oracle-outage path's configuration and state (OUTAGE-1), shared by its settings (IVaultOutageSettings)
///         and its deleverage (IVaultEmergency).
interface IVaultOutageTypes {
    /// @notice The oracle-outage path (OUTAGE-1). A zero field means its default (`outageConfig()` returns the
    ///         values in force). Every change waits out the timelock, in both directions (`ChangeKind.Outage`).
    struct OutageConfig {
        uint32 gracePeriod; // s after a feed's heartbeat ran out before the path opens (default 600)
        uint32 twapWindow; // s, the Uniswap pool's time-weighted average price the path is priced on (default 1800)
        uint16 maxTwapDeviationBps; // bps, max |spot - TWAP| / TWAP when the path trades (default 500)
        uint16 maxActionBps; // bps of the debt one call repays at most (default 2500)
        uint16 maxHourlyBps; // bps of the debt (read at the clock hour's first call) repaid per clock hour (default 5000)
    }

    /// @notice What the path repaid in the current clock hour (debt units) and the debt its hourly cap is taken of.
    struct OutageState {
        uint32 hour; // block.timestamp / 3600 of the last outage deleverage
        uint112 hourDebt; // debt units at that hour's first outage deleverage
        uint112 hourRepaid; // debt units repaid by the path in that hour
    }
}

/// @title IVaultOutageSettings
/// @notice The outage path's settings, served by the settings module (in the vault's context, like every setting).
interface IVaultOutageSettings is IVaultOutageTypes {
    /// @notice The outage configuration accepted after the timelock.
    event OutageConfigSet(OutageConfig config);

    /// @notice The outage configuration is outside its bounds.
    error OutageInvalidConfig(OutageConfig config);

    /// @notice Manager: submits a new outage configuration (always through the timelock); accepted with
    ///         `acceptChange(ChangeKind.Outage)` inside its window, revocable with `revokeChange`. Zero fields take
    ///         their defaults; set ones must be within bounds: the TWAP window 10 min .. 2 h, the grace 1 min .. 1
    ///         day, the TWAP deviation at most 10 %, a call's cap at most the hour's.
    function setOutageConfig(OutageConfig calldata config) external;

    /// @notice The outage configuration in force, defaults filled in.
    function outageConfig() external view returns (OutageConfig memory);

    /// @notice The path's use of its hourly cap.
    function outageState() external view returns (OutageState memory);
}

/// @title IVaultEmergency
/// @notice The vault's emergency paths, served by the emergency module (reached through the automation module's
///         fallback, in the vault's context): the ripcord and the oracle-outage
///         deleverage. Units: prices wad debt-asset per collateral, health factor and leverage wad, ratios bps.
interface IVaultEmergency is IVaultOutageTypes {
    /// @notice An outage deleverage repaid `repaid` debt units, priced at `referencePrice` = min(pool TWAP, the
    ///         feeds' last answer) (wad debt per collateral).
    event OutageDelevered(address indexed caller, uint256 repaid, uint256 referencePrice, uint256 twapPrice);

    /// @notice Both feeds are within their heartbeat: the keeper and the ripcord serve, not the outage path.
    error OutageFeedsFresh();
    /// @notice A feed is stale, but the path opens only at `opensAt` (s) = stale + grace period.
    error OutageGracePeriod(uint256 opensAt);
    /// @notice The pool cannot give a TWAP over `window` s (observations too few or too young).
    error OutageTwapUnavailable(uint32 window);
    /// @notice The pool's spot `spotPrice` is further than `maxTwapDeviationBps` from its TWAP `twapPrice` (wad).
    error OutageTwapDeviation(uint256 spotPrice, uint256 twapPrice);
    /// @notice At the reference price the position needs no deleverage: health factor `healthFactor` at or above
    ///         the floor and leverage `leverage` at or below the band top (wad).
    error OutageNothingToDelever(uint256 healthFactor, uint256 leverage);
    /// @notice The path already repaid `repaid` debt units this clock hour, its cap is `cap`.
    error OutageHourlyCapReached(uint256 repaid, uint256 cap);

    /// @notice Anyone, when the health factor is below critical: delevers toward the leverage that restores the
    ///         health floor (as a health deleverage does) under the same market guards, and pays the caller, in
    ///         collateral, min(ripcordRewardBps of the debt value it repaid, ripcordRewardCap * repaid /
    ///         maxTradeSize): linear in the debt repaid, so splitting a ripcord never pays more (RIPCORD-1). Below a
    ///         market health factor of 1 the reward is at most the liquidation bonus left idle.
    function ripcord() external returns (uint256 reward);

    /// @notice Anyone, while a feed has been stale for longer than its heartbeat plus `gracePeriod` (and the L2
    ///         sequencer is up): delevers, never levers, toward the leverage that restores the health floor, priced
    ///         at min(pool TWAP over `twapWindow`, the feeds' last answers). The same market guards as a keeper
    ///         deleverage (same-block pool move, deviation from the reference, trade room) plus |spot - TWAP| <=
    ///         `maxTwapDeviationBps`; at most `maxActionBps` of the debt per call and `maxHourlyBps` per clock hour;
    ///         the keeper's post-conditions valued at the reference price. No reward.
    /// @return repaid Debt units repaid.
    function outageDelever() external returns (uint256 repaid);
}
