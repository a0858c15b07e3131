// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IOracle} from "@morpho-org/morpho-blue/src/interfaces/IOracle.sol";
import {IAggregatorV3} from "../../interfaces/IAggregatorV3.sol";

/// @title ChainlinkMorphoOracle
/// @notice Test-bed oracle for the local Morpho Blue markets, built on the same Chainlink-style USD feeds the vaults
///         read: the price of one raw collateral unit in raw loan units, scaled 1e36 (Morpho's `IOracle`). Like
///         Morpho's own ChainlinkOracle it does not check staleness; it refuses a non-positive answer. Never shipped.
contract ChainlinkMorphoOracle is IOracle {
    IAggregatorV3 public immutable COLLATERAL_FEED;
    IAggregatorV3 public immutable LOAN_FEED;
    /// @dev 10 ** (36 + loan decimals + loan feed decimals - collateral decimals - collateral feed decimals).
    uint256 private immutable SCALE;

    /// @notice A feed answered zero or less.
    error OracleNonPositiveAnswer(address feed, int256 answer);

    constructor(IAggregatorV3 collateralFeed, IAggregatorV3 loanFeed, uint8 collateralDecimals, uint8 loanDecimals) {
        (COLLATERAL_FEED, LOAN_FEED) = (collateralFeed, loanFeed);
        SCALE = 10 ** (36 + uint256(loanDecimals) + loanFeed.decimals() - collateralDecimals - collateralFeed.decimals());
    }

    /// @inheritdoc IOracle
    function price() external view returns (uint256) {
        return _answer(COLLATERAL_FEED) * SCALE / _answer(LOAN_FEED);
    }

    function _answer(IAggregatorV3 feed) private view returns (uint256) {
        (, int256 answer,,,) = feed.latestRoundData();
        if (answer <= 0) revert OracleNonPositiveAnswer(address(feed), answer);
        return uint256(answer);
    }
}
