// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {LeverageVault} from "./LeverageVault.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {MorphoBlueLendingModule} from "../adapters/lending/MorphoBlueLendingModule.sol";
import {MorphoBlueFlashLoanReceiver} from "../adapters/lending/MorphoBlueFlashLoanReceiver.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {MorphoUniswapMarkets} from "./MorphoUniswapMarkets.sol";

/// @title MorphoUniswapLeverageVault
/// @notice The leveraged vault on a Morpho Blue market (lending, free flash loans) and Uniswap V3 (swaps), priced by
///         Chainlink feeds: the same core as the Aave vault, another lending module.
contract MorphoUniswapLeverageVault is LeverageVault, MorphoBlueFlashLoanReceiver, UniswapV3SwapModule {
    constructor(
        MorphoUniswapMarkets.Markets memory markets,
        OracleConfig memory oracle,
        string memory name,
        string memory symbol,
        address module,
        IVaultManagement.InitParams memory params
    )
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        MorphoBlueLendingModule(markets.morpho, markets.morphoOracle, markets.irm, markets.lltv)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        LeverageVault(name, symbol, module, MorphoUniswapMarkets.hash(markets, oracle), params)
    {}
}
