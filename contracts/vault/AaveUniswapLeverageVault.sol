// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {LeverageVault} from "./LeverageVault.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingAdapter} from "../adapters/lending/AaveV3LendingAdapter.sol";
import {AaveV3FlashLoanReceiver} from "../adapters/lending/AaveV3FlashLoanReceiver.sol";
import {UniswapV3SwapAdapter} from "../adapters/swap/UniswapV3SwapAdapter.sol";
import {ChainlinkOracleAdapter} from "../oracle/ChainlinkOracleAdapter.sol";
import {AaveUniswapMarkets} from "./AaveUniswapMarkets.sol";

/// @title AaveUniswapLeverageVault
/// @notice The leveraged vault on Aave V3 (lending, flash loans) and Uniswap V3 (swaps), priced by Chainlink feeds.
contract AaveUniswapLeverageVault is LeverageVault, AaveV3FlashLoanReceiver, UniswapV3SwapAdapter {
    constructor(
        AaveUniswapMarkets.Markets memory markets,
        OracleConfig memory oracle,
        string memory name,
        string memory symbol,
        address module,
        IVaultManagement.InitParams memory params
    )
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingAdapter(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapAdapter(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleAdapter(oracle)
        LeverageVault(name, symbol, module, AaveUniswapMarkets.hash(markets, oracle), params)
    {}
}
