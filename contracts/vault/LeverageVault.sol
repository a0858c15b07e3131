// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {IERC20Metadata} from "@openzeppelin/contracts/token/ERC20/extensions/IERC20Metadata.sol";
import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";
import {ERC4626} from "@openzeppelin/contracts/token/ERC20/extensions/ERC4626.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {Proxy} from "@openzeppelin/contracts/proxy/Proxy.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IERC4626} from "@openzeppelin/contracts/interfaces/IERC4626.sol";
import {ILeverageVault} from "../interfaces/ILeverageVault.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";
import {LeverageEngine} from "./LeverageEngine.sol";

/// @title LeverageVault
/// @notice Protocol-agnostic ERC-4626 core of a leveraged vault: shares, NAV, deposits that lever and exits that
///         delever in one transaction. Management and automation live in a module with the same storage
///         namespace, reached by delegatecall for every selector this contract does not define.
abstract contract LeverageVault is ILeverageVault, ERC4626, Proxy, LeverageEngine {
    using SafeERC20 for IERC20;
    using Math for uint256;

    /// @dev 1e6 virtual shares per asset unit make a first-depositor donation attack cost 1e6x what it steals.
    uint8 private constant DECIMALS_OFFSET = 6;

    /// @dev Management + automation module; deployed for the same markets and oracle (checked by hash).
    address public immutable MODULE;

    /// @dev Collateral decimals + offset. ERC4626's constructor runs before VaultAssets sets COLLATERAL_ASSET, so
    ///      the asset and decimals it stores are those of address(0): `asset()` and `decimals()` use these instead.
    uint8 private immutable SHARE_DECIMALS;

    /// @notice The module was built for other markets or feeds than this vault.
    error VaultModuleMismatch();

    /// @param marketsHash keccak256 of the markets and oracle configuration this vault was built with.
    constructor(
        string memory name,
        string memory symbol,
        address module,
        bytes32 marketsHash,
        IVaultManagement.InitParams memory params
    ) ERC4626(IERC20(COLLATERAL_ASSET)) ERC20(name, symbol) {
        if (IVaultModule(module).MARKETS_HASH() != marketsHash) revert VaultModuleMismatch();
        MODULE = module;
        SHARE_DECIMALS = IERC20Metadata(COLLATERAL_ASSET).decimals() + DECIMALS_OFFSET;
        // The module writes the initial configuration into this contract's storage, validated as any later change.
        // solhint-disable-next-line avoid-low-level-calls
        (bool ok, bytes memory reason) = module.delegatecall(abi.encodeCall(IVaultManagement.initialize, (params)));
        if (!ok) {
            assembly {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }

    /// @notice Plain ETH is refused: the vault holds only its ERC-20 assets. Declared (rather than letting the payable
    ///         proxy fallback take empty calldata to the module, which has no receive and refuses it as well) to state
    ///         that intent and to answer solc's "payable fallback without receive" warning; behaviour is unchanged.
    receive() external payable {
        // No custom error on purpose: the same empty revert data as before this function existed.
        // solhint-disable-next-line gas-custom-errors
        revert();
    }

    /// @dev Every selector not defined here is served by the module, in this contract's storage.
    function _implementation() internal view override returns (address) {
        return MODULE;
    }

    // ---------------------------------------------------------------- ERC-4626

    /// @inheritdoc ERC4626
    function totalAssets() public view override(ERC4626, IERC4626) returns (uint256) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        return _toAssets(_position(collateralPrice, debtPrice, 0).equityValue, collateralPrice);
    }

    /// @inheritdoc ERC4626
    function maxDeposit(address) public view override(ERC4626, IERC4626) returns (uint256) {
        VaultLayout storage v = _vault();
        if (v.depositsPaused) return 0;
        uint256 assets = totalAssets();
        return assets >= v.execution.depositCap ? 0 : v.execution.depositCap - assets;
    }

    /// @inheritdoc ERC4626
    function maxMint(address receiver) public view override(ERC4626, IERC4626) returns (uint256) {
        return previewDeposit(maxDeposit(receiver));
    }

    /// @inheritdoc ERC4626
    /// @dev Shares for `assets` less the worst-case cost of levering them (max slippage on the debt swapped).
    function previewDeposit(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        ILeverageVault.PositionState memory state = _position(collateralPrice, debtPrice, 0);
        uint256 borrowAmount = _debtToBorrow(state, assets, collateralPrice, debtPrice);
        uint256 depositorBorrow = Math.min(borrowAmount, _depositBorrow(assets, collateralPrice, debtPrice));
        // Worst case for the depositor: its share of the swap at max slippage, none of it borne by the holders.
        uint256 worstCost = _toAssets(
            _debtValue(depositorBorrow, debtPrice).mulDiv(_vault().execution.maxSlippageBps, BPS, Math.Rounding.Ceil),
            collateralPrice
        ) + 1;
        if (worstCost >= assets) return 0;
        return _sharesFor(assets - worstCost, _toAssets(state.equityValue, collateralPrice), Math.Rounding.Floor);
    }

    /// @inheritdoc ERC4626
    /// @dev Assets such that `previewDeposit(assets) >= shares`.
    function previewMint(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 net = _convertToAssets(shares, Math.Rounding.Ceil);
        uint256 leverage = _effectiveTargetLeverage();
        uint256 slippage = _vault().execution.maxSlippageBps;
        // Levering `assets` swaps (L - 1) * assets of debt: the cost is at most (L - 1) * slippage of them.
        uint256 keptBps = BPS * WAD - (leverage - WAD) * slippage;
        return net.mulDiv(BPS * WAD, keptBps, Math.Rounding.Ceil) + 2;
    }

    /// @inheritdoc ERC4626
    /// @dev Assets of the slice less the worst-case cost of unwinding its debt (slippage + flash premium).
    function previewRedeem(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        return _convertToAssets(shares, Math.Rounding.Floor).mulDiv(BPS * WAD - _exitCostWad(), BPS * WAD);
    }

    /// @inheritdoc ERC4626
    function previewWithdraw(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 gross = assets.mulDiv(BPS * WAD, BPS * WAD - _exitCostWad(), Math.Rounding.Ceil);
        return _convertToShares(gross, Math.Rounding.Ceil);
    }

    /// @inheritdoc ERC4626
    /// @dev Pulls `assets`, brings the whole position to the target leverage with one flash loan and mints the
    ///      shares of the equity actually added, so the depositor pays the cost of levering.
    function deposit(uint256 assets, address receiver)
        public
        override(ERC4626, IERC4626)
        nonReentrant
        returns (uint256 shares)
    {
        shares = _depositAndLever(assets);
        _mint(receiver, shares);
        emit Deposit(msg.sender, receiver, assets, shares);
    }

    /// @inheritdoc ERC4626
    /// @dev Pulls `previewMint(shares)`; any equity added beyond `shares` stays with the vault.
    function mint(uint256 shares, address receiver) public override(ERC4626, IERC4626) nonReentrant returns (uint256 assets) {
        if (shares == 0) revert VaultZeroAmount();
        assets = previewMint(shares);
        uint256 minted = _depositAndLever(assets);
        if (minted < shares) revert VaultMintShortfall(minted, shares);
        _mint(receiver, shares);
        emit Deposit(msg.sender, receiver, assets, shares);
    }

    /// @inheritdoc ERC4626
    /// @dev Burns `previewWithdraw(assets)` shares, unwinds their slice and pays exactly `assets`.
    function withdraw(uint256 assets, address receiver, address holder)
        public
        override(ERC4626, IERC4626)
        nonReentrant
        returns (uint256 shares)
    {
        if (assets == 0) revert VaultZeroAmount();
        shares = previewWithdraw(assets);
        if (shares > balanceOf(holder)) revert ERC4626ExceededMaxWithdraw(holder, assets, maxWithdraw(holder));
        uint256 received = _exit(shares, holder);
        if (received < assets) revert VaultExitShortfall(received, assets);
        // The preview priced the exit at max slippage: what the unwind did not cost stays idle in the vault and
        // goes back to the holder as shares, so no value moves to the remaining holders.
        uint256 surplus = received - assets;
        if (surplus != 0) {
            (uint256 collateralPrice, uint256 debtPrice) = _prices();
            uint256 assetsAfter = _toAssets(_position(collateralPrice, debtPrice, 0).equityValue, collateralPrice);
            uint256 refund = _sharesFor(surplus, assetsAfter > surplus ? assetsAfter - surplus : 0, Math.Rounding.Floor);
            if (refund != 0) {
                _mint(holder, refund);
                shares -= refund;
            }
        }
        _payOut(receiver, holder, assets, shares);
    }

    /// @inheritdoc ERC4626
    /// @dev Unwinds the holder's proportional slice of collateral, debt and idle balances in one transaction.
    function redeem(uint256 shares, address receiver, address holder)
        public
        override(ERC4626, IERC4626)
        nonReentrant
        returns (uint256 assets)
    {
        if (shares == 0) revert VaultZeroAmount();
        uint256 maxShares = balanceOf(holder);
        if (shares > maxShares) revert ERC4626ExceededMaxRedeem(holder, shares, maxShares);
        assets = _exit(shares, holder);
        _payOut(receiver, holder, assets, shares);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc ILeverageVault
    function debtAsset() external view returns (address) {
        return DEBT_ASSET;
    }

    /// @inheritdoc ILeverageVault
    function position() external view returns (PositionState memory) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        return _position(collateralPrice, debtPrice, _liquidationThresholdBps());
    }

    // ---------------------------------------------------------------- flows

    /// @dev Levers the whole position to target. The swap cost is split by borrowed notional: the depositor pays
    ///      for the debt its own assets need at target, the holders for re-levering the drift of theirs.
    function _depositAndLever(uint256 assets) internal returns (uint256 shares) {
        if (assets == 0) revert VaultZeroAmount();
        if (_vault().depositsPaused) revert VaultDepositsPaused();
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        ILeverageVault.PositionState memory before = _position(collateralPrice, debtPrice, 0);
        if (before.equityValue == 0 && totalSupply() != 0) revert VaultInsolvent();
        _onInteraction(before.price);
        uint256 assetsBefore = _toAssets(before.equityValue, collateralPrice);
        uint256 cap = _vault().execution.depositCap;
        if (assetsBefore + assets > cap) revert VaultDepositCapExceeded(assets, cap > assetsBefore ? cap - assetsBefore : 0);

        IERC20(COLLATERAL_ASSET).safeTransferFrom(msg.sender, address(this), assets);
        uint256 borrowAmount = _debtToBorrow(before, assets, collateralPrice, debtPrice);
        _lever(borrowAmount, before.idleCollateral + assets, collateralPrice, debtPrice);

        uint256 liquidationThreshold = borrowAmount == 0 ? 0 : _liquidationThresholdBps();
        ILeverageVault.PositionState memory afterState = _position(collateralPrice, debtPrice, liquidationThreshold);
        if (borrowAmount != 0) _checkHealthAfterLever(afterState, before.leverage, borrowAmount);
        uint256 assetsAfter = _toAssets(afterState.equityValue, collateralPrice);
        uint256 cost = assetsBefore + assets > assetsAfter ? assetsBefore + assets - assetsAfter : 0;
        uint256 depositorCost = borrowAmount == 0
            ? cost
            : cost.mulDiv(Math.min(borrowAmount, _depositBorrow(assets, collateralPrice, debtPrice)), borrowAmount, Math.Rounding.Ceil);
        uint256 holdersCost = cost - depositorCost;
        if (depositorCost >= assets) revert VaultZeroShares();
        shares = _sharesFor(
            assets - depositorCost, assetsBefore > holdersCost ? assetsBefore - holdersCost : 0, Math.Rounding.Floor
        );
        if (shares == 0) revert VaultZeroShares();
    }

    /// @dev Debt (debt units) that `assets` alone need to sit at the effective target leverage.
    function _depositBorrow(uint256 assets, uint256 collateralPrice, uint256 debtPrice) internal view returns (uint256) {
        uint256 value = assets.mulDiv(collateralPrice, COLLATERAL_UNIT);
        return LeverageMath.debtForLeverage(value, _effectiveTargetLeverage()).mulDiv(DEBT_UNIT, debtPrice);
    }

    /// @dev Burns `shares` of `holder` (spending allowance) and unwinds their slice; returns the collateral freed.
    function _exit(uint256 shares, address holder) internal returns (uint256 assets) {
        if (msg.sender != holder) _spendAllowance(holder, msg.sender, shares);
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        _onInteraction(collateralPrice.mulDiv(WAD, debtPrice));
        uint256 supply = totalSupply();
        uint256 collateralShare = _collateralBalance().mulDiv(shares, supply);
        // Debt is rounded up and everything else down, so the remaining holders never pay for an exit.
        uint256 debtShare = _debtBalance().mulDiv(shares, supply, Math.Rounding.Ceil);
        uint256 idleCollateral = IERC20(COLLATERAL_ASSET).balanceOf(address(this));
        uint256 idleDebtShare = IERC20(DEBT_ASSET).balanceOf(address(this)).mulDiv(shares, supply);
        _burn(holder, shares);

        if (debtShare != 0) {
            _repayWithCollateral(debtShare, collateralShare, collateralPrice, debtPrice);
        } else if (collateralShare != 0) {
            _withdrawCollateral(collateralShare, address(this));
        }
        if (idleDebtShare != 0) {
            uint256 fairOut = _collateralFor(idleDebtShare, collateralPrice, debtPrice);
            _swapExactIn(DEBT_ASSET, COLLATERAL_ASSET, idleDebtShare, _minusSlippage(fairOut));
        }
        // What the unwind freed plus this slice of the collateral that was idle before it.
        assets = IERC20(COLLATERAL_ASSET).balanceOf(address(this)) - idleCollateral + idleCollateral.mulDiv(shares, supply);
    }

    function _payOut(address receiver, address holder, uint256 assets, uint256 shares) private {
        IERC20(COLLATERAL_ASSET).safeTransfer(receiver, assets);
        emit Withdraw(msg.sender, receiver, holder, assets, shares);
    }

    // ---------------------------------------------------------------- accounting

    /// @dev Debt to borrow so that the position after adding `assets` sits at the effective target leverage.
    function _debtToBorrow(PositionState memory s, uint256 assets, uint256 collateralPrice, uint256 debtPrice)
        internal
        view
        returns (uint256)
    {
        uint256 equity = s.equityValue + assets.mulDiv(collateralPrice, COLLATERAL_UNIT);
        uint256 targetDebtValue = LeverageMath.debtForLeverage(equity, _effectiveTargetLeverage());
        if (targetDebtValue <= s.debtValue) return 0;
        return (targetDebtValue - s.debtValue).mulDiv(DEBT_UNIT, debtPrice);
    }

    function _checkHealthAfterLever(PositionState memory afterState, uint256 leverageBefore, uint256 borrowed)
        internal
    {
        uint256 floor = _vault().leverage.minHealthFactor;
        if (afterState.healthFactor < floor) revert VaultHealthFactorTooLow(afterState.healthFactor, floor);
        emit PositionRebalanced(leverageBefore, afterState.leverage, int256(borrowed));
    }

    /// @dev Worst-case share of a slice's value lost when unwinding it, wad-bps: (gross - equity)/equity * cost.
    function _exitCostWad() internal view returns (uint256) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        ILeverageVault.PositionState memory s = _position(collateralPrice, debtPrice, 0);
        if (s.equityValue == 0) return 0;
        uint256 costBps = _vault().execution.maxSlippageBps + _flashLoanPremiumBps() + 1;
        uint256 swapped = s.debtValue + s.idleDebtAsset.mulDiv(debtPrice, DEBT_UNIT);
        return Math.min(swapped.mulDiv(costBps * WAD, s.equityValue, Math.Rounding.Ceil), BPS * WAD);
    }

    function _sharesFor(uint256 assets, uint256 totalAssetsBefore, Math.Rounding rounding)
        internal
        view
        returns (uint256)
    {
        return assets.mulDiv(totalSupply() + 10 ** DECIMALS_OFFSET, totalAssetsBefore + 1, rounding);
    }

    function _decimalsOffset() internal pure override returns (uint8) {
        return DECIMALS_OFFSET;
    }

    /// @inheritdoc ERC4626
    function decimals() public view override(ERC4626, IERC20Metadata) returns (uint8) {
        return SHARE_DECIMALS;
    }

    /// @inheritdoc ERC4626
    function asset() public view override(ERC4626, IERC4626) returns (address) {
        return COLLATERAL_ASSET;
    }
}

/// @dev The one module function the vault calls directly.
interface IVaultModule {
    function MARKETS_HASH() external view returns (bytes32);
}
