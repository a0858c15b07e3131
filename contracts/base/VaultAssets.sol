// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";

/// @title VaultAssets
/// @notice The (collateral, debt) pair every module of a vault works on, with their decimal scales.
abstract contract VaultAssets {
    /// @dev The ERC-4626 asset: supplied on the lending market.
    address internal immutable COLLATERAL_ASSET;
    /// @dev Borrowed against the collateral and swapped into more collateral.
    address internal immutable DEBT_ASSET;
    /// @dev 10 ** decimals of each token.
    uint256 internal immutable COLLATERAL_UNIT;
    uint256 internal immutable DEBT_UNIT;

    constructor(address collateralAsset, address debtAsset) {
        COLLATERAL_ASSET = collateralAsset;
        DEBT_ASSET = debtAsset;
        COLLATERAL_UNIT = 10 ** IERC20Metadata(collateralAsset).decimals();
        DEBT_UNIT = 10 ** IERC20Metadata(debtAsset).decimals();
    }
}
