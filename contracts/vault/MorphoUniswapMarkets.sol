// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IMorpho} from "@morpho-org/morpho-blue/src/interfaces/IMorpho.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IUniswapV3Factory} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Factory.sol";
import {IOracleModule} from "../interfaces/IOracleModule.sol";

/// @title MorphoUniswapMarkets
/// @notice The external contracts a Morpho Blue + Uniswap V3 vault and its modules are built on: one Morpho market
///         (collateral, loan token = the debt asset, Morpho oracle, IRM, LLTV) and the Uniswap route.
library MorphoUniswapMarkets {
    struct Markets {
        address collateralAsset;
        address debtAsset;
        IMorpho morpho;
        address morphoOracle; // Morpho IOracle of the market: collateral in loan units, 1e36
        address irm;
        uint256 lltv; // wad
        ISwapRouter swapRouter;
        IUniswapV3Factory uniswapFactory;
    }

    /// @dev Binds a vault to modules built for exactly the same market, route and feeds.
    function hash(Markets memory markets, IOracleModule.OracleConfig memory oracle) internal pure returns (bytes32) {
        return keccak256(abi.encode(markets, oracle));
    }
}
