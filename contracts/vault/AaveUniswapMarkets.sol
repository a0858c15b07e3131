// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IPool} from "@aave/core-v3/contracts/interfaces/IPool.sol";
import {ISwapRouter} from "@uniswap/v3-periphery/contracts/interfaces/ISwapRouter.sol";
import {IUniswapV3Factory} from "@uniswap/v3-core/contracts/interfaces/IUniswapV3Factory.sol";
import {IOracleModule} from "../interfaces/IOracleModule.sol";

/// @title AaveUniswapMarkets
/// @notice The external contracts an Aave V3 + Uniswap V3 vault and its module are built on.
library AaveUniswapMarkets {
    struct Markets {
        address collateralAsset;
        address debtAsset;
        IPool aavePool;
        ISwapRouter swapRouter;
        IUniswapV3Factory uniswapFactory;
        uint8 eModeCategory; // Aave efficiency-mode category the vault borrows in, 0 = none
    }

    /// @dev Binds a vault to a module built for exactly the same markets and feeds.
    function hash(Markets memory markets, IOracleModule.OracleConfig memory oracle) internal pure returns (bytes32) {
        return keccak256(abi.encode(markets, oracle));
    }
}
