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
import {IVaultFees} from "../interfaces/IVaultFees.sol";
import {IVaultAutomation} from "../interfaces/IVaultAutomation.sol";
import {IOraclePrices} from "../interfaces/IOracleModule.sol";
import {IMarketsBound} from "../interfaces/IMarketsBound.sol";
import {IVaultLimits} from "../interfaces/IVaultLimits.sol";
import {LeverageMath} from "../libraries/LeverageMath.sol";
import {StaticReads} from "../libraries/StaticReads.sol";
import {LeverageEngine} from "./LeverageEngine.sol";

/// @title LeverageVault
/// @notice Protocol-agnostic ERC-4626 core of a leveraged vault: shares, NAV, deposits that lever and exits that
///         delever in one transaction. Management and automation live in a module with the same storage
///         namespace, reached by delegatecall for every selector this contract does not define.
abstract contract LeverageVault is ILeverageVault, IOraclePrices, ERC4626, Proxy, LeverageEngine {
    using SafeERC20 for IERC20;
    using Math for uint256;

    /// @dev 1e6 virtual shares per asset unit make a first-depositor donation attack cost 1e6x what it steals.
    uint8 private constant DECIMALS_OFFSET = 6;
    /// @dev Wei kept off `maxDeposit` when deriving `maxMint`, for the preview round trip.
    uint256 private constant PREVIEW_MARGIN = 16;
    uint256 private constant YEAR = 365 days;

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
        if (IMarketsBound(module).MARKETS_HASH() != marketsHash) revert VaultModuleMismatch();
        MODULE = module;
        SHARE_DECIMALS = IERC20Metadata(COLLATERAL_ASSET).decimals() + DECIMALS_OFFSET;
        if (params.owner == address(0)) {
            // The implementation behind a refinanceable vault's proxy (IVenueMover.initializeProxy initialises the
            // proxy): its own storage is locked, so that no one can configure it as a vault.
            _vault().initialized = true;
            return;
        }
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
    /// @dev IVaultLimits.depositLimit: the deposit-cap room, the market's supply and borrow cap room (CAP-1), and no
    ///      more than the pool absorbs within the slippage for the deposit's borrow; 0 while paused, stopped out,
    ///      unhealthy or without oracle. Served by the venue's module (the last in the fallback chain), for room.
    function maxDeposit(address receiver) public view override(ERC4626, IERC4626) returns (uint256) {
        return _limit(IVaultLimits.depositLimit.selector, receiver);
    }

    /// @inheritdoc ERC4626
    /// @dev A few wei under the shares of `maxDeposit`, so that `previewMint` of them fits in it.
    function maxMint(address receiver) public view override(ERC4626, IERC4626) returns (uint256) {
        uint256 assets = maxDeposit(receiver);
        return assets > PREVIEW_MARGIN ? previewDeposit(assets - PREVIEW_MARGIN) : 0;
    }

    /// @inheritdoc ERC4626
    /// @dev IVaultLimits.withdrawLimit: what redeeming `maxRedeem` is sure to pay.
    function maxWithdraw(address holder) public view override(ERC4626, IERC4626) returns (uint256) {
        return _limit(IVaultLimits.withdrawLimit.selector, holder);
    }

    /// @inheritdoc ERC4626
    /// @dev IVaultLimits.redeemLimit: the balance while the oracle is usable and the market lets the exit withdraw,
    ///      at most the slice whose debt the venue can flash-lend at once.
    function maxRedeem(address holder) public view override(ERC4626, IERC4626) returns (uint256) {
        return _limit(IVaultLimits.redeemLimit.selector, holder);
    }

    /// @dev A limit from the venue's module, through this vault's own fallback (a view cannot delegatecall); 0 when
    ///      it cannot be read.
    function _limit(bytes4 selector, address account) private view returns (uint256) {
        (bool ok, bytes memory data) = address(this).staticcall(abi.encodeWithSelector(selector, account));
        return ok && data.length == 32 ? abi.decode(data, (uint256)) : 0;
    }

    /// @inheritdoc ERC4626
    /// @dev Shares for the equity `assets` add when their own borrow is swapped at its min out (max slippage),
    ///      less the rounding of a few raw debt units.
    function previewDeposit(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        _checkRange(assets);
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        ILeverageVault.PositionState memory state = _position(collateralPrice, debtPrice, 0);
        uint256 borrowAmount = _depositBorrow(assets, _depositLeverage(state, 0), collateralPrice, debtPrice);
        uint256 kept = assets + (borrowAmount == 0 ? 0 : _minOut(false, borrowAmount, collateralPrice, debtPrice));
        uint256 owed = _collateralFor(borrowAmount, collateralPrice, debtPrice) + _roundingAssets(collateralPrice, debtPrice);
        if (kept <= owed) return 0;
        return _sharesFor(kept - owed, _toAssets(state.equityValue, collateralPrice), Math.Rounding.Floor);
    }

    /// @inheritdoc ERC4626
    /// @dev Assets such that `previewDeposit(assets) >= shares`.
    function previewMint(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        ILeverageVault.PositionState memory state = _position(collateralPrice, debtPrice, 0);
        uint256 net = shares.mulDiv(
            _toAssets(state.equityValue, collateralPrice) + 1, totalSupply() + 10 ** DECIMALS_OFFSET, Math.Rounding.Ceil
        ) + _roundingAssets(collateralPrice, debtPrice);
        // Levering `assets` swaps (L - 1) * assets of debt: the cost is at most (L - 1) * slippage of them.
        uint256 keptBps = BPS * WAD - (_depositLeverage(state, 0) - WAD) * _vault().execution.maxSlippageBps;
        return net.mulDiv(BPS * WAD, keptBps, Math.Rounding.Ceil) + 2;
    }

    /// @inheritdoc ERC4626
    /// @dev Assets of the slice less the worst-case cost of unwinding its debt (slippage + flash premium) and the
    ///      rounding of a few raw debt units.
    function previewRedeem(uint256 shares) public view override(ERC4626, IERC4626) returns (uint256) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 net = _convertToAssets(shares, Math.Rounding.Floor).mulDiv(BPS * WAD - _exitCostWad(), BPS * WAD);
        uint256 rounding = _roundingAssets(collateralPrice, debtPrice);
        return net > rounding ? net - rounding : 0;
    }

    /// @inheritdoc ERC4626
    function previewWithdraw(uint256 assets) public view override(ERC4626, IERC4626) returns (uint256) {
        if (assets == 0) return 0;
        _checkRange(assets);
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 gross = (assets + _roundingAssets(collateralPrice, debtPrice)).mulDiv(
            BPS * WAD, BPS * WAD - _exitCostWad(), Math.Rounding.Ceil
        );
        return _convertToShares(gross, Math.Rounding.Ceil);
    }

    /// @inheritdoc ERC4626
    /// @dev Pulls `assets` and levers them alone (see `_depositAndLever`).
    function deposit(uint256 assets, address receiver) public override(ERC4626, IERC4626) returns (uint256) {
        return deposit(assets, receiver, 0);
    }

    /// @inheritdoc ILeverageVault
    function deposit(uint256 assets, address receiver, uint256 minShares) public nonReentrant returns (uint256 shares) {
        _accrueFee();
        shares = _depositAndLever(assets);
        if (shares < minShares) revert VaultSharesBelowMin(shares, minShares);
        _mint(receiver, shares);
        emit Deposit(msg.sender, receiver, assets, shares);
    }

    /// @inheritdoc ERC4626
    /// @dev Pulls `previewMint(shares)`; any equity added beyond `shares` stays with the vault.
    function mint(uint256 shares, address receiver) public override(ERC4626, IERC4626) returns (uint256) {
        return mint(shares, receiver, type(uint256).max);
    }

    /// @inheritdoc ILeverageVault
    function mint(uint256 shares, address receiver, uint256 maxAssets) public nonReentrant returns (uint256 assets) {
        if (shares == 0) revert VaultZeroAmount();
        _accrueFee();
        assets = previewMint(shares);
        if (assets > maxAssets) revert VaultAssetsAboveMax(assets, maxAssets);
        uint256 minted = _depositAndLever(assets);
        if (minted < shares) revert VaultMintShortfall(minted, shares);
        _mint(receiver, shares);
        emit Deposit(msg.sender, receiver, assets, shares);
    }

    /// @inheritdoc ERC4626
    /// @dev Unwinds `previewWithdraw(assets)` shares (at most the balance), pays exactly `assets` and gives what the
    ///      unwind did not cost back as shares (see the 4-argument overload).
    function withdraw(uint256 assets, address receiver, address holder)
        public
        override(ERC4626, IERC4626)
        returns (uint256)
    {
        return withdraw(assets, receiver, holder, type(uint256).max);
    }

    /// @inheritdoc ILeverageVault
    function withdraw(uint256 assets, address receiver, address holder, uint256 maxShares)
        public
        nonReentrant
        returns (uint256 shares)
    {
        if (assets == 0) revert VaultZeroAmount();
        _accrueFee();
        // An amount no vault holds (the preview's conversion would overflow) is more than any balance pays.
        uint256 gross = assets > type(uint128).max ? type(uint256).max : previewWithdraw(assets);
        uint256 balance = balanceOf(holder);
        if (gross > balance) {
            // Rounding aside, up to `maxWithdraw` the whole balance is sure to pay `assets`.
            uint256 maxAssets = previewRedeem(balance);
            if (assets > maxAssets) revert ERC4626ExceededMaxWithdraw(holder, assets, maxAssets);
            gross = balance;
        }
        uint256 supply = totalSupply();
        uint256 received = _exit(gross, supply);
        if (received < assets) revert VaultExitShortfall(received, assets);
        // The preview priced the unwind at max slippage. What it did not cost sits idle and goes back to the holder
        // as shares, priced on the equity the others keep: everything now held minus all the unwind freed.
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 remaining = _toAssets(_position(collateralPrice, debtPrice, 0).equityValue, collateralPrice);
        remaining = remaining > received ? remaining - received : 0;
        uint256 refund = (received - assets).mulDiv(supply - gross + 10 ** DECIMALS_OFFSET, remaining + 1);
        shares = gross - Math.min(refund, gross);
        if (shares > maxShares) revert VaultSharesAboveMax(shares, maxShares);
        _burnAndPay(receiver, holder, assets, shares);
    }

    /// @inheritdoc ERC4626
    /// @dev Unwinds the holder's proportional slice of collateral, debt and idle balances in one transaction.
    function redeem(uint256 shares, address receiver, address holder)
        public
        override(ERC4626, IERC4626)
        returns (uint256)
    {
        return redeem(shares, receiver, holder, 0);
    }

    /// @inheritdoc ILeverageVault
    function redeem(uint256 shares, address receiver, address holder, uint256 minAssets)
        public
        nonReentrant
        returns (uint256 assets)
    {
        if (shares == 0) revert VaultZeroAmount();
        _accrueFee();
        uint256 maxShares = balanceOf(holder);
        if (shares > maxShares) revert ERC4626ExceededMaxRedeem(holder, shares, maxShares);
        assets = _exit(shares, totalSupply());
        if (assets < minAssets) revert VaultAssetsBelowMin(assets, minAssets);
        _burnAndPay(receiver, holder, assets, shares);
    }

    // ---------------------------------------------------------------- views

    /// @inheritdoc IOraclePrices
    function oraclePrices() external view returns (uint256 collateralPrice, uint256 debtPrice) {
        return _prices();
    }

    /// @inheritdoc ILeverageVault
    function debtAsset() external view returns (address) {
        return DEBT_ASSET;
    }

    /// @inheritdoc ILeverageVault
    function position() external view returns (PositionState memory) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        return _position(collateralPrice, debtPrice, _liquidationThresholdBps());
    }

    // ---------------------------------------------------------------- fees

    /// @inheritdoc ILeverageVault
    function accrueFee() public {
        VaultLayout storage v = _vault();
        if (v.feeState.lastAccrual == block.timestamp) return;
        (uint256 feeShares, uint256 mark) = _accruedFeeShares();
        v.feeState = IVaultFees.FeeState(uint40(block.timestamp), uint128(mark));
        address recipient = v.fees.recipient;
        if (feeShares != 0) _mint(recipient, feeShares);
        emit FeeAccrued(recipient, feeShares, mark);
    }

    /// @inheritdoc ERC20
    /// @dev Includes the fee shares accrued up to this block (MetaMorpho's `_accruedFeeShares`), so that every
    ///      preview and conversion prices shares as the next entry point, which accrues first, will.
    function totalSupply() public view override(ERC20, IERC20) returns (uint256) {
        return ERC20.totalSupply() + (_feesDue() ? _feeSharesDue() : 0);
    }

    function _feeSharesDue() private view returns (uint256 feeShares) {
        (feeShares,) = _accruedFeeShares();
    }

    /// @dev A fee is set and this block has not accrued yet.
    function _feesDue() private view returns (bool) {
        VaultLayout storage v = _vault();
        return v.fees.managementFeeBps | v.fees.performanceFeeBps != 0 && v.feeState.lastAccrual != block.timestamp;
    }

    function _accrueFee() private {
        if (_feesDue()) accrueFee();
    }

    /// @dev Fee shares due now and the fee mark after them (see `ILeverageVault.accrueFee`). Virtual shares and
    ///      asset as in the conversions; the fee, capped at the assets, is minted as the shares worth it afterwards.
    function _accruedFeeShares() private view returns (uint256 feeShares, uint256 mark) {
        VaultLayout storage v = _vault();
        uint256 supply = ERC20.totalSupply() + 10 ** DECIMALS_OFFSET;
        uint256 assets = totalAssets() + 1;
        mark = v.feeState.feeSharePriceMark;
        uint256 price = assets.mulDiv(WAD, supply);
        uint256 fee = assets.mulDiv(uint256(v.fees.managementFeeBps) * (block.timestamp - v.feeState.lastAccrual), BPS * YEAR);
        // FEE-1 / FEE-2: only the gain above the mark, which never falls.
        if (price > mark) fee += (price - mark).mulDiv(supply * v.fees.performanceFeeBps, WAD * BPS);
        fee = Math.min(fee, assets - 1);
        feeShares = fee.mulDiv(supply, assets - fee);
        mark = Math.max(mark, assets.mulDiv(WAD, supply + feeShares));
    }

    // ---------------------------------------------------------------- flows

    /// @dev Levers `assets` alone, at the vault's current leverage capped by the target, and returns the shares of
    ///      the oracle equity they actually added: the depositor pays its own swap and nothing else, so a pool
    ///      pushed around the deposit moves value between the pusher and the depositor only.
    function _depositAndLever(uint256 assets) internal returns (uint256 shares) {
        if (assets == 0) revert VaultZeroAmount();
        VaultLayout storage v = _vault();
        if (v.depositsPaused) revert VaultDepositsPaused();
        // Stopped out, a deposit would be supplied and then sold into the stop at every holder's cost (FAIR-1).
        if (v.state.mode == IVaultAutomation.Mode.StoppedOut) revert VaultStoppedOut();
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        uint256 liquidationThreshold = _liquidationThresholdBps();
        ILeverageVault.PositionState memory before = _position(collateralPrice, debtPrice, liquidationThreshold);
        if (before.equityValue == 0 && totalSupply() != 0) revert VaultInsolvent();
        // The market lends nothing below 1: say so rather than let its borrow check refuse the lever.
        if (before.healthFactor < WAD) revert VaultPositionUnhealthy(before.healthFactor);
        _onInteraction(before.price);
        uint256 assetsBefore = _toAssets(before.equityValue, collateralPrice);
        uint256 leverage = _depositLeverage(before, liquidationThreshold);
        uint256 room = _depositRoom(assetsBefore, before.idleCollateral, leverage, collateralPrice, debtPrice);
        if (assets > room) revert VaultDepositCapExceeded(assets, room);

        IERC20(COLLATERAL_ASSET).safeTransferFrom(msg.sender, address(this), assets);
        uint256 borrowAmount = _depositBorrow(assets, leverage, collateralPrice, debtPrice);
        _lever(borrowAmount, before.idleCollateral + assets, collateralPrice, debtPrice);

        ILeverageVault.PositionState memory afterState = _position(collateralPrice, debtPrice, liquidationThreshold);
        if (borrowAmount != 0) {
            // Refuse only what makes things worse: a deposit into a vault already under the floor may go in.
            uint256 floor = _vault().leverage.minHealthFactor;
            if (afterState.healthFactor < floor && afterState.healthFactor < before.healthFactor) {
                revert VaultHealthFactorTooLow(afterState.healthFactor, floor);
            }
            emit PositionRebalanced(before.leverage, afterState.leverage, int256(borrowAmount));
        }
        uint256 assetsAfter = _toAssets(afterState.equityValue, collateralPrice);
        shares = assetsAfter > assetsBefore ? _sharesFor(assetsAfter - assetsBefore, assetsBefore, Math.Rounding.Floor) : 0;
        if (shares == 0) revert VaultZeroShares();
    }

    /// @dev Debt (debt units) that `assets` alone need to sit at `leverage`.
    function _depositBorrow(uint256 assets, uint256 leverage, uint256 collateralPrice, uint256 debtPrice)
        internal
        view
        returns (uint256)
    {
        uint256 value = assets.mulDiv(collateralPrice, COLLATERAL_UNIT);
        return LeverageMath.debtForLeverage(value, leverage).mulDiv(DEBT_UNIT, debtPrice);
    }

    /// @dev Unwinds the slice `shares / supply` of collateral, debt and idle balances into collateral held by the
    ///      vault and returns how much of it is the slice's. Burns nothing. The slice's idle debt asset repays the
    ///      slice's debt first (no swap); only an excess above dust is swapped. Debt is rounded up and everything
    ///      else down, so the remaining holders never pay for an exit.
    function _exit(uint256 shares, uint256 supply) internal returns (uint256 assets) {
        (uint256 collateralPrice, uint256 debtPrice) = _prices();
        _onInteraction(collateralPrice.mulDiv(WAD, debtPrice));
        uint256 collateral = _collateralBalance();
        uint256 debt = _debtBalance();
        if (shares < supply) {
            (bool belowLiquidation, uint256 healthFactor) = _belowLiquidation(collateral, debt, collateralPrice, debtPrice);
            if (belowLiquidation) revert VaultPositionUnhealthy(healthFactor);
        }
        uint256 collateralShare = collateral.mulDiv(shares, supply);
        uint256 debtShare = debt.mulDiv(shares, supply, Math.Rounding.Ceil);
        uint256 idleCollateral = StaticReads.balanceOf(COLLATERAL_ASSET, address(this));
        uint256 idleDebtShare = StaticReads.balanceOf(DEBT_ASSET, address(this)).mulDiv(shares, supply);

        uint256 repaidFromIdle = Math.min(idleDebtShare, debtShare);
        if (repaidFromIdle != 0) {
            _repayDebt(repaidFromIdle);
            debtShare -= repaidFromIdle;
            idleDebtShare -= repaidFromIdle;
        }
        if (debtShare != 0) {
            // EXIT-1: a dust slice, whose collateral does not cover the most buying back its debt may cost (the raw
            // units of rounding of a tiny swap outweigh the slippage), could never repay it: it unwinds nothing and
            // leaves both behind, worth at least zero to the remaining holders (it takes only its idle share).
            // The bound is `_repayWithCollateral`'s, inlined so that it is computed once.
            uint256 bound = _maxCollateralPerDebt(collateralPrice, debtPrice);
            uint256 owed = debtShare.mulDiv(BPS + _flashLoanPremiumBps(), BPS, Math.Rounding.Ceil);
            if (owed.mulDiv(bound, WAD, Math.Rounding.Ceil) + 2 < collateralShare) {
                // ERR-1: the venue lends no more of the debt asset at once than it holds; `maxRedeem` stays within it.
                uint256 room = _debtFlashRoom();
                if (debtShare > room) revert VaultExitLiquidity(debtShare, room);
                _flashLoan(DEBT_ASSET, debtShare, abi.encode(FlashAction.Exit, collateralShare, bound));
            }
        } else if (collateralShare != 0) {
            _withdrawCollateral(collateralShare, address(this));
        }
        if (idleDebtShare > _dustDebt()) {
            _swapExactIn(DEBT_ASSET, COLLATERAL_ASSET, idleDebtShare, _minOut(false, idleDebtShare, collateralPrice, debtPrice));
        }
        // What the unwind freed plus this slice of the collateral that was idle before it.
        assets = StaticReads.balanceOf(COLLATERAL_ASSET, address(this)) - idleCollateral + idleCollateral.mulDiv(shares, supply);
    }

    /// @dev Burns `shares` of `holder` (spending the caller's allowance for exactly them) and pays `assets`.
    function _burnAndPay(address receiver, address holder, uint256 assets, uint256 shares) private {
        if (msg.sender != holder) _spendAllowance(holder, msg.sender, shares);
        _burn(holder, shares);
        IERC20(COLLATERAL_ASSET).safeTransfer(receiver, assets);
        emit Withdraw(msg.sender, receiver, holder, assets, shares);
    }

    // ---------------------------------------------------------------- accounting

    /// @dev Collateral units covering the rounding of a few raw debt units (an exit's debt share rounds up by one,
    ///      the min outs leave two out) plus a few wei of aToken and conversion rounding.
    function _roundingAssets(uint256 collateralPrice, uint256 debtPrice) internal view returns (uint256) {
        return _collateralFor(4, collateralPrice, debtPrice) + 4;
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

    /// @dev OpenZeppelin's conversion (convertToShares, previewWithdraw), refusing an amount no vault holds with a
    ///      custom error where the product would overflow (ERR-1).
    function _convertToShares(uint256 assets, Math.Rounding rounding) internal view override returns (uint256) {
        _checkRange(assets);
        return super._convertToShares(assets, rounding);
    }

    /// @dev Reverts `VaultAmountOutOfRange` above 2^128 - 1 raw units of the asset, where the previews' and
    ///      conversions' arithmetic would overflow (ERR-1: a custom error, never a panic).
    function _checkRange(uint256 assets) private pure {
        if (assets > type(uint128).max) revert VaultAmountOutOfRange(assets);
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
