// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IAggregatorV3} from "../interfaces/IAggregatorV3.sol";
import {IOracleModule} from "../interfaces/IOracleModule.sol";
import {StaticReads} from "../libraries/StaticReads.sol";

/// @title ChainlinkOracleAdapter
/// @notice Reads the collateral and debt USD feeds with per-feed staleness checks and an optional L2
///         sequencer-uptime gate. Every price leaves this module as wad USD per whole token.
abstract contract ChainlinkOracleAdapter is IOracleModule {
    IAggregatorV3 internal immutable COLLATERAL_FEED;
    IAggregatorV3 internal immutable DEBT_FEED;
    /// @dev Zero on L1: no sequencer check.
    IAggregatorV3 internal immutable SEQUENCER_FEED;
    uint256 internal immutable COLLATERAL_HEARTBEAT;
    uint256 internal immutable DEBT_HEARTBEAT;
    uint256 internal immutable SEQUENCER_GRACE_PERIOD;
    uint256 private immutable COLLATERAL_FEED_SCALE;
    uint256 private immutable DEBT_FEED_SCALE;
    /// @dev The feed the pair's variance is read from (the collateral feed when none is configured).
    IAggregatorV3 internal immutable VARIANCE_FEED;

    constructor(OracleConfig memory config) {
        if (address(config.collateralFeed) == address(0) || address(config.debtFeed) == address(0)) {
            revert OracleFeedMissing();
        }
        COLLATERAL_FEED = config.collateralFeed;
        DEBT_FEED = config.debtFeed;
        SEQUENCER_FEED = config.sequencerFeed;
        COLLATERAL_HEARTBEAT = config.collateralHeartbeat;
        DEBT_HEARTBEAT = config.debtHeartbeat;
        SEQUENCER_GRACE_PERIOD = config.sequencerGracePeriod;
        COLLATERAL_FEED_SCALE = 10 ** (18 - config.collateralFeed.decimals());
        DEBT_FEED_SCALE = 10 ** (18 - config.debtFeed.decimals());
        VARIANCE_FEED = address(config.varianceFeed) == address(0) ? config.collateralFeed : config.varianceFeed;
    }

    /// @return collateralPrice wad USD per whole collateral token.
    /// @return debtPrice wad USD per whole debt token.
    function _prices() internal view returns (uint256 collateralPrice, uint256 debtPrice) {
        if (address(SEQUENCER_FEED) != address(0)) _checkSequencer();
        collateralPrice = _read(COLLATERAL_FEED, COLLATERAL_HEARTBEAT) * COLLATERAL_FEED_SCALE;
        debtPrice = _read(DEBT_FEED, DEBT_HEARTBEAT) * DEBT_FEED_SCALE;
    }

    /// @dev Realised variance of the pair's price per second (wad), read from the variance feed (the volatile leg's
    ///      USD feed, or the pair's ratio feed): the sum of the squared simple returns between its last `rounds` + 1
    ///      answers, over the time from the oldest of them to the latest. The
    ///      window is the rounds' own timestamps, so who calls when between two rounds changes nothing. Reads the
    ///      feed's own history only; stops early at a round the feed cannot serve (a new phase, a bad answer).
    function _pairVariancePerSecond(uint256 rounds) internal view returns (uint256) {
        (uint80 roundId, int256 answer,, uint256 latestAt) = StaticReads.latestRound(address(VARIANCE_FEED));
        uint256 sumSquares;
        uint256 oldest = latestAt;
        for (uint256 i; i < rounds && roundId > 1; ++i) {
            --roundId;
            (bool ok, int256 previous, uint256 updatedAt) = StaticReads.tryRound(address(VARIANCE_FEED), roundId);
            if (!ok || previous <= 0 || updatedAt == 0 || updatedAt > oldest) break;
            uint256 step = uint256(answer > previous ? answer - previous : previous - answer) * 1e18 / uint256(previous);
            sumSquares += step * step / 1e18;
            answer = previous;
            oldest = updatedAt;
        }
        return oldest >= latestAt ? 0 : sumSquares / (latestAt - oldest);
    }

    /// @dev Wad USD per whole gas token from `feed` (keeper pay only), or 0 when it reverts, answers a non-positive
    ///      price or one from the future or older than the longer of the legs' heartbeats, or has more than 18
    ///      decimals: the keeper is not paid then, and the action goes on.
    function _gasTokenPrice(address feed) internal view returns (uint256 price) {
        try IAggregatorV3(feed).latestRoundData() returns (uint80, int256 answer, uint256, uint256 updatedAt, uint80) {
            uint256 heartbeat = COLLATERAL_HEARTBEAT > DEBT_HEARTBEAT ? COLLATERAL_HEARTBEAT : DEBT_HEARTBEAT;
            if (answer <= 0 || _isStale(updatedAt, heartbeat)) return 0;
            try IAggregatorV3(feed).decimals() returns (uint8 decimals) {
                if (decimals <= 18) price = uint256(answer) * 10 ** (18 - decimals);
            } catch {}
        } catch {}
    }

    /// @dev The feeds' last answers whatever their age (wad USD per whole token; positive, else OracleInvalidAnswer),
    ///      the L2 sequencer checked as by `_prices`, and the time (s) from which the first of them is stale:
    ///      min(updatedAt + heartbeat) over both feeds. For the outage path only (OUTAGE-1): no other reader may
    ///      price on a stale answer (VAULT-ORACLE-1).
    function _lastPrices() internal view returns (uint256 collateralPrice, uint256 debtPrice, uint256 staleFrom) {
        if (address(SEQUENCER_FEED) != address(0)) _checkSequencer();
        uint256 collateralStale;
        uint256 debtStale;
        (collateralPrice, collateralStale) = _readLast(COLLATERAL_FEED, COLLATERAL_HEARTBEAT);
        (debtPrice, debtStale) = _readLast(DEBT_FEED, DEBT_HEARTBEAT);
        collateralPrice *= COLLATERAL_FEED_SCALE;
        debtPrice *= DEBT_FEED_SCALE;
        staleFrom = collateralStale < debtStale ? collateralStale : debtStale;
    }

    /// @dev A feed's last answer and when it goes stale; a future timestamp never counts as stale here (an outage is
    ///      a feed that stopped, not one that lies about its time).
    function _readLast(IAggregatorV3 feed, uint256 heartbeat) private view returns (uint256, uint256) {
        (, int256 answer,, uint256 updatedAt) = StaticReads.latestRound(address(feed));
        if (answer <= 0) revert OracleInvalidAnswer(address(feed), answer);
        return (uint256(answer), updatedAt > block.timestamp ? type(uint256).max : updatedAt + heartbeat);
    }

    function _read(IAggregatorV3 feed, uint256 heartbeat) private view returns (uint256) {
        (, int256 answer,, uint256 updatedAt) = StaticReads.latestRound(address(feed));
        if (answer <= 0) revert OracleInvalidAnswer(address(feed), answer);
        if (_isStale(updatedAt, heartbeat)) revert OracleStale(address(feed), updatedAt, heartbeat);
        return uint256(answer);
    }

    /// @dev Older than `heartbeat`, or from the future: a future timestamp is as untrustworthy as an old one.
    function _isStale(uint256 updatedAt, uint256 heartbeat) private view returns (bool) {
        return updatedAt > block.timestamp || block.timestamp - updatedAt > heartbeat;
    }

    function _checkSequencer() private view {
        (, int256 answer, uint256 startedAt,) = StaticReads.latestRound(address(SEQUENCER_FEED));
        // startedAt == 0: the feed has no valid round yet (Chainlink's L2 feeds before initialisation).
        if (answer != 0 || startedAt == 0) revert OracleSequencerDown();
        if (block.timestamp - startedAt <= SEQUENCER_GRACE_PERIOD) {
            revert OracleSequencerGracePeriod(startedAt, SEQUENCER_GRACE_PERIOD);
        }
    }
}
