// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {LeverageVault} from "./LeverageVault.sol";
import {VaultAssets} from "../base/VaultAssets.sol";
import {AaveV3LendingModule} from "../adapters/lending/AaveV3LendingModule.sol";
import {AaveV3FlashLoanReceiver} from "../adapters/lending/AaveV3FlashLoanReceiver.sol";
import {UniswapV3SwapModule} from "../adapters/swap/UniswapV3SwapModule.sol";
import {ChainlinkOracleModule} from "../oracle/ChainlinkOracleModule.sol";
import {AaveUniswapMarkets} from "./AaveUniswapMarkets.sol";

/// @title AaveUniswapLeverageVault
/// @notice The leveraged vault on Aave V3 (lending, flash loans) and Uniswap V3 (swaps), priced by Chainlink feeds.
contract AaveUniswapLeverageVault is LeverageVault, AaveV3FlashLoanReceiver, UniswapV3SwapModule {
    constructor(
        AaveUniswapMarkets.Markets memory markets,
        OracleConfig memory oracle,
        string memory name,
        string memory symbol,
        address module,
        IVaultManagement.InitParams memory params
    )
        VaultAssets(markets.collateralAsset, markets.debtAsset)
        AaveV3LendingModule(markets.aavePool, markets.eModeCategory)
        UniswapV3SwapModule(markets.swapRouter, markets.uniswapFactory)
        ChainlinkOracleModule(oracle)
        LeverageVault(name, symbol, module, AaveUniswapMarkets.hash(markets, oracle), params)
    {}
}
