// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";

/// @title VaultPreviewProbe
/// @notice Test double: calls an ERC-4626 preview and the matching action in the same transaction (the spec's
///         "in the same transaction" comparison) and records both; it holds the shares and assets itself.
///         Never shipped.
contract VaultPreviewProbe {
    IERC4626 public immutable VAULT;
    IERC20 public immutable ASSET;

    /// @notice What the preview promised and what the action did, in the unit of the preview's result.
    uint256 public previewed;
    uint256 public actual;

    constructor(IERC4626 vault) {
        VAULT = vault;
        ASSET = IERC20(vault.asset());
        ASSET.approve(address(vault), type(uint256).max);
    }

    /// @notice previewDeposit(assets) vs shares minted.
    function deposit(uint256 assets) external {
        previewed = VAULT.previewDeposit(assets);
        actual = VAULT.deposit(assets, address(this));
    }

    /// @notice previewMint(shares) vs assets pulled.
    function mint(uint256 shares) external {
        previewed = VAULT.previewMint(shares);
        uint256 before = ASSET.balanceOf(address(this));
        VAULT.mint(shares, address(this));
        actual = before - ASSET.balanceOf(address(this));
    }

    /// @notice previewRedeem(shares) vs assets received.
    function redeem(uint256 shares) external {
        previewed = VAULT.previewRedeem(shares);
        uint256 before = ASSET.balanceOf(address(this));
        VAULT.redeem(shares, address(this), address(this));
        actual = ASSET.balanceOf(address(this)) - before;
    }

    /// @notice previewWithdraw(assets) vs shares burned.
    function withdraw(uint256 assets) external {
        previewed = VAULT.previewWithdraw(assets);
        uint256 before = VAULT.balanceOf(address(this));
        VAULT.withdraw(assets, address(this), address(this));
        actual = before - VAULT.balanceOf(address(this));
    }
}
