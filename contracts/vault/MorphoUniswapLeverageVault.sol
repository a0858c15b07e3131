// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {LeverageVault} from "./LeverageVault.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {MorphoBlueLendingAdapter} from "../adapters/lending/MorphoBlueLendingAdapter.sol";
import {MorphoBlueFlashLoanReceiver} from "../adapters/lending/MorphoBlueFlashLoanReceiver.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {MorphoUniswapMarkets} from "./MorphoUniswapMarkets.sol";

/// @title MorphoUniswapLeverageVault
/// @notice The leveraged vault on a Morpho Blue market (lending, free flash loans) and Uniswap V3 (swaps), priced by
///         Chainlink feeds: the same core as the Aave vault, another lending adapter.
contract MorphoUniswapLeverageVault is LeverageVault, MorphoBlueFlashLoanReceiver, UniswapV3SwapAdapter {
    constructor(
        MorphoUniswapMarkets.Markets memory markets,
        OracleConfig memory oracle,
        string memory name,
        string memory symbol,
        address module,
        IVaultManagement.InitParams memory params
    )
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        MorphoBlueLendingAdapter(markets.morpho, markets.morphoOracle, markets.irm, markets.lltv)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        LeverageVault(name, symbol, module, MorphoUniswapMarkets.hash(markets, oracle), params)
    {}
}
