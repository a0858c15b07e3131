// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";
import {TransientSlot} from "@openzeppelin/contracts/utils/TransientSlot.sol";
import {Math} from "@openzeppelin/contracts/utils/math/Math.sol";
import {IPool} from "@aave/core-v3/contracts/interfaces/IPool.sol";
import {LendingAdapter} from "./LendingAdapter.sol";
import {StaticReads} from "../../libraries/StaticReads.sol";

/// @title AaveV3LendingAdapter
/// @notice Lending adapter on an Aave V3 pool: variable-rate debt, flash loans for one-transaction leverage changes.
///         The flash-loan callbacks live in `AaveV3FlashLoanReceiver`, which only the vault inherits: the pool
///         always calls the vault, so a delegatecalled module never receives them.
abstract contract AaveV3LendingAdapter is LendingAdapter {
    using SafeERC20 for IERC20;
    using TransientSlot for *;

    uint256 private constant VARIABLE_RATE = 2;
    uint256 private constant LTV_MASK = 0xFFFF;
    uint256 private constant LIQ_THRESHOLD_SHIFT = 16;
    uint256 private constant LIQ_BONUS_SHIFT = 32;
    uint256 private constant LIQ_PROTOCOL_FEE_SHIFT = 152;
    uint256 private constant BORROW_CAP_SHIFT = 80;
    uint256 private constant SUPPLY_CAP_SHIFT = 116;
    uint256 private constant E_MODE_SHIFT = 168;
    uint256 private constant E_MODE_MASK = 0xFF;
    uint256 private constant CAP_MASK = 0xFFFFFFFFF; // 36 bits, whole tokens
    uint256 private constant RAY = 1e27;
    /// @dev Word positions in Aave V3's `DataTypes.ReserveData`.
    uint256 private constant RESERVE_LIQUIDITY_RATE = 2;
    uint256 private constant RESERVE_VARIABLE_BORROW_RATE = 4;
    uint256 private constant RESERVE_STABLE_DEBT_TOKEN = 9;
    uint256 private constant RESERVE_ACCRUED_TO_TREASURY = 12;
    /// @dev Share of a cap kept back from its room (1e-5): interest accrued in the acting transaction (the
    ///      treasury's share on supply, the debt's on borrow) is not visible to a view, nor a block later.
    uint256 private constant CAP_MARGIN_DIVISOR = 100_000;

    IPool internal immutable AAVE_POOL;
    /// @dev aToken of the collateral: its balance is the supplied collateral with interest.
    IERC20 internal immutable COLLATERAL_A_TOKEN;
    /// @dev Variable debt token of the debt asset: its balance is the debt with interest.
    IERC20 internal immutable VARIABLE_DEBT_TOKEN;
    /// @dev aToken of the debt asset: what it holds of the asset is what the reserve can lend or flash-lend.
    address internal immutable DEBT_A_TOKEN;
    /// @dev Aave efficiency-mode category the vault borrows in (0 = none): its LTV, liquidation threshold and bonus
    ///      replace the collateral reserve's (e.g. the ETH-correlated category for a staked-ETH loop).
    uint8 internal immutable E_MODE_CATEGORY;

    /// @dev Transient flag set only while a flash loan this vault started is out. A fixed slot (ERC-7201 formula
    ///      on "levered-vaults.transient.AaveV3LendingModule.flashLoanPending") rather than a `transient` variable:
    ///      the module runs in the vault's context by delegatecall, and compiler-assigned transient slots depend on
    ///      each contract's inheritance, which differs between the two.
    bytes32 internal constant FLASH_LOAN_PENDING_SLOT =
        0x091742c74e829c1398dbdf288019de37aba667775f3200b6561637dc01251500;

    constructor(IPool pool, uint8 eModeCategory) {
        AAVE_POOL = pool;
        E_MODE_CATEGORY = eModeCategory;
        if (eModeCategory != 0) {
            // Aave applies a category's parameters only to reserves in it: both legs must be, or the vault would
            // read a threshold the market does not use.
            if (
                _eModeOf(pool, COLLATERAL_ASSET) != eModeCategory || _eModeOf(pool, DEBT_ASSET) != eModeCategory
            ) revert LendingEModeMismatch(eModeCategory);
        }
        COLLATERAL_A_TOKEN = IERC20(pool.getReserveData(COLLATERAL_ASSET).aTokenAddress);
        VARIABLE_DEBT_TOKEN = IERC20(pool.getReserveData(DEBT_ASSET).variableDebtTokenAddress);
        DEBT_A_TOKEN = pool.getReserveData(DEBT_ASSET).aTokenAddress;
        _enterVenue();
    }

    /// @dev The pool pulls supplies, repayments and flash-loan repayments; exact approvals would cost an SSTORE per
    ///      call.
    function _enterVenue() internal override {
        if (E_MODE_CATEGORY != 0) AAVE_POOL.setUserEMode(E_MODE_CATEGORY);
        IERC20(COLLATERAL_ASSET).forceApprove(address(AAVE_POOL), type(uint256).max);
        IERC20(DEBT_ASSET).forceApprove(address(AAVE_POOL), type(uint256).max);
    }

    /// @dev The debt reserve's current variable borrow rate (ray per year).
    function _borrowRatePerYear() internal view override returns (uint256) {
        return _reserveWord(DEBT_ASSET, RESERVE_VARIABLE_BORROW_RATE) / 1e9;
    }

    /// @dev The collateral reserve's current liquidity rate (ray per year).
    function _supplyRatePerYear() internal view override returns (uint256) {
        return _reserveWord(COLLATERAL_ASSET, RESERVE_LIQUIDITY_RATE) / 1e9;
    }

    /// @dev The borrow cap's room and the debt reserve's idle balance (its aToken's underlying).
    function _debtLendable() internal view override returns (uint256) {
        return Math.min(_borrowRoom(0), _debtFlashRoom());
    }

    function _debtFlashRoom() internal view override returns (uint256) {
        return StaticReads.balanceOf(DEBT_ASSET, DEBT_A_TOKEN);
    }

    function _supplyCollateral(uint256 amount) internal override {
        _callPool(IPool.supply.selector, COLLATERAL_ASSET, amount, uint160(address(this)), 0, 0x84, false);
    }

    function _withdrawCollateral(uint256 amount, address to) internal override returns (uint256) {
        return _callPool(IPool.withdraw.selector, COLLATERAL_ASSET, amount, uint160(to), 0, 0x64, true);
    }

    function _repayDebt(uint256 amount) internal override returns (uint256) {
        return _callPool(IPool.repay.selector, DEBT_ASSET, amount, VARIABLE_RATE, uint160(address(this)), 0x84, true);
    }

    /// @dev `selector(asset, amount, arg2[, arg3])` on the pool, `size` bytes of calldata, as the high-level call makes
    ///      it in fewer instructions: a revert bubbled with its data; with `returnsWord`, its first return word (return
    ///      data shorter than a word reverts without data, as the decoder does); without, the pool's code is checked
    ///      to exist first, as the compiler does for a call that returns nothing.
    function _callPool(
        bytes4 selector,
        address asset,
        uint256 amount,
        uint256 arg2,
        uint256 arg3,
        uint256 size,
        bool returnsWord
    ) private returns (uint256 result) {
        address pool = address(AAVE_POOL);
        assembly ("memory-safe") {
            // Above the free memory pointer, not allocated: used only until this block ends.
            let ptr := mload(0x40)
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), asset)
            mstore(add(ptr, 0x24), amount)
            mstore(add(ptr, 0x44), arg2)
            mstore(add(ptr, 0x64), arg3)
            if iszero(returnsWord) { if iszero(extcodesize(pool)) { revert(0, 0) } }
            if iszero(call(gas(), pool, 0, ptr, size, 0x00, 0x20)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            if returnsWord {
                if lt(returndatasize(), 0x20) { revert(0, 0) }
                result := mload(0x00)
            }
        }
    }

    function _collateralBalance() internal view override returns (uint256) {
        return StaticReads.balanceOf(address(COLLATERAL_A_TOKEN), address(this));
    }

    function _debtBalance() internal view override returns (uint256) {
        return StaticReads.balanceOf(address(VARIABLE_DEBT_TOKEN), address(this));
    }

    function _liquidationThresholdBps() internal view override returns (uint256) {
        return _riskBps(LIQ_THRESHOLD_SHIFT);
    }

    function _liquidationBonusBps() internal view override returns (uint256) {
        return _riskBps(LIQ_BONUS_SHIFT);
    }

    function _maxLtvBps() internal view override returns (uint256) {
        return _riskBps(0);
    }

    function _liquidationProtocolFeeBps() internal view override returns (uint256) {
        return (_configuration() >> LIQ_PROTOCOL_FEE_SHIFT) & LTV_MASK;
    }

    function _marketHealthFactor() internal view override returns (uint256 healthFactor) {
        (,,,,, healthFactor) = AAVE_POOL.getUserAccountData(address(this));
    }

    function _liquidateOwnDebt(uint256 debtAmount) internal override returns (uint256) {
        uint256 held = StaticReads.balanceOf(COLLATERAL_ASSET, address(this));
        AAVE_POOL.liquidationCall(COLLATERAL_ASSET, DEBT_ASSET, address(this), debtAmount, false);
        return StaticReads.balanceOf(COLLATERAL_ASSET, address(this)) - held;
    }

    /// @dev Aave V3 lets a liquidation repay half the debt (all of it only below HF 0.95, which is not relied on).
    function _maxOwnLiquidation(uint256 debt) internal pure override returns (uint256) {
        return debt / 2;
    }

    /// @dev The whole reserve is read only when a cap is set: an uncapped market costs one configuration read.
    function _supplyRoom() internal view override returns (uint256) {
        uint256 cap = (_configuration() >> SUPPLY_CAP_SHIFT) & CAP_MASK;
        if (cap == 0) return type(uint256).max;
        cap *= COLLATERAL_UNIT;
        // Aave: (scaled supply + accrued to treasury) * liquidity index + amount <= cap.
        uint256 accrued = _reserveWord(COLLATERAL_ASSET, RESERVE_ACCRUED_TO_TREASURY);
        uint256 treasury = accrued * AAVE_POOL.getReserveNormalizedIncome(COLLATERAL_ASSET) / RAY;
        uint256 used = COLLATERAL_A_TOKEN.totalSupply() + treasury + cap / CAP_MARGIN_DIVISOR + 1;
        return cap > used ? cap - used : 0;
    }

    function _borrowRoom(uint256 repaidFirst) internal view override returns (uint256) {
        uint256 cap = (_configurationOf(DEBT_ASSET) >> BORROW_CAP_SHIFT) & CAP_MASK;
        if (cap == 0) return type(uint256).max;
        cap *= DEBT_UNIT;
        address stableDebt = address(uint160(_reserveWord(DEBT_ASSET, RESERVE_STABLE_DEBT_TOKEN)));
        uint256 used = VARIABLE_DEBT_TOKEN.totalSupply() + IERC20(stableDebt).totalSupply() + cap / CAP_MARGIN_DIVISOR + 1;
        return cap + repaidFirst > used ? cap + repaidFirst - used : 0;
    }

    /// @dev The reserve's idle collateral (its aToken's underlying balance), half for the loan, half for the withdrawal.
    function _collateralFlashRoom() internal view override returns (uint256) {
        return StaticReads.balanceOf(COLLATERAL_ASSET, address(COLLATERAL_A_TOKEN)) / 2;
    }

    /// @dev `FLASHLOAN_PREMIUM_TOTAL()` (a uint128), read as StaticReads reads.
    function _flashLoanPremiumBps() internal view override returns (uint256 premium) {
        address pool = address(AAVE_POOL);
        assembly ("memory-safe") {
            mstore(0x00, shl(224, 0x074b2e43))
            if iszero(staticcall(gas(), pool, 0x00, 0x04, 0x00, 0x20)) {
                let ptr := mload(0x40)
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
            premium := mload(0x00)
            if or(lt(returndatasize(), 0x20), shr(128, premium)) { revert(0, 0) }
        }
    }

    /// @dev The collateral reserve's risk parameter (bps) at `shift` of its configuration (0 the LTV), or the e-mode
    ///      category's when the vault borrows in one.
    function _riskBps(uint256 shift) private view returns (uint256) {
        if (E_MODE_CATEGORY == 0) return (_configuration() >> shift) & LTV_MASK;
        // The category is returned as a dynamic tuple (its label is a string): offset, ltv, threshold, bonus, ...
        // Only the three numbers are decoded, which keeps the string's decoder out of every module's code.
        (, bytes memory data) =
            address(AAVE_POOL).staticcall(abi.encodeCall(IPool.getEModeCategoryData, (E_MODE_CATEGORY)));
        (, uint256 ltv, uint256 threshold, uint256 bonus) = abi.decode(data, (uint256, uint256, uint256, uint256));
        if (shift == 0) return ltv;
        return shift == LIQ_THRESHOLD_SHIFT ? threshold : bonus;
    }

    /// @dev Field `index` of `getReserveData(asset)` (a struct of static fields, one word each), read without
    ///      decoding the whole struct into every contract that checks a cap.
    function _reserveWord(address asset, uint256 index) private view returns (uint256) {
        (, bytes memory data) = address(AAVE_POOL).staticcall(abi.encodeCall(IPool.getReserveData, (asset)));
        return abi.decode(data, (uint256[15]))[index];
    }

    function _eModeOf(IPool pool, address asset) private view returns (uint256) {
        return (pool.getConfiguration(asset).data >> E_MODE_SHIFT) & E_MODE_MASK;
    }

    function _configuration() private view returns (uint256) {
        return _configurationOf(COLLATERAL_ASSET);
    }

    /// @dev `getConfiguration(asset).data` (a one-word struct).
    function _configurationOf(address asset) private view returns (uint256) {
        return StaticReads.wordOf(address(AAVE_POOL), uint32(IPool.getConfiguration.selector), uint160(asset));
    }

    /// @dev `flashLoan(this, [DEBT_ASSET], [amount], [VARIABLE_RATE], this, data, 0)`, encoded as the compiler encodes
    ///      it (see `_callPoolWithData`).
    function _flashBorrowDebt(uint256 amount, bytes memory data) internal override {
        FLASH_LOAN_PENDING_SLOT.asBoolean().tstore(true);
        bytes4 selector = IPool.flashLoan.selector;
        address debtAsset = DEBT_ASSET;
        uint256 ptr;
        assembly ("memory-safe") {
            // Selector and head, allocated (the params are appended above them right before the call).
            ptr := mload(0x40)
            mstore(0x40, add(ptr, 0x1c0))
            mstore(ptr, selector)
            let args := add(ptr, 0x04)
            mstore(args, address())
            // The offsets of the three one-element arrays and of the params, from the start of the arguments.
            mstore(add(args, 0x20), 0xe0)
            mstore(add(args, 0x40), 0x120)
            mstore(add(args, 0x60), 0x160)
            mstore(add(args, 0x80), address())
            mstore(add(args, 0xa0), 0x1a0)
            mstore(add(args, 0xc0), 0)
            mstore(add(args, 0xe0), 1)
            mstore(add(args, 0x100), debtAsset)
            mstore(add(args, 0x120), 1)
            mstore(add(args, 0x140), amount)
            mstore(add(args, 0x160), 1)
            mstore(add(args, 0x180), VARIABLE_RATE)
        }
        _callPoolWithData(ptr, 0x1a4, data);
    }

    /// @dev `flashLoanSimple(this, asset, amount, data, 0)`, encoded as the compiler encodes it.
    function _flashLoan(address asset, uint256 amount, bytes memory data) internal override {
        FLASH_LOAN_PENDING_SLOT.asBoolean().tstore(true);
        bytes4 selector = IPool.flashLoanSimple.selector;
        uint256 ptr;
        assembly ("memory-safe") {
            ptr := mload(0x40)
            mstore(0x40, add(ptr, 0xc0))
            mstore(ptr, selector)
            mstore(add(ptr, 0x04), address())
            mstore(add(ptr, 0x24), asset)
            mstore(add(ptr, 0x44), amount)
            mstore(add(ptr, 0x64), 0xa0)
            mstore(add(ptr, 0x84), 0)
        }
        _callPoolWithData(ptr, 0xa4, data);
    }

    /// @dev Appends `data` (length, then its bytes zero-padded to whole words, as the ABI encodes `bytes`) at
    ///      `ptr + head` to the selector and head already written at `ptr` (allocated up to the next whole word; what
    ///      is appended beyond it is used only by this call) and calls
    ///      the pool with it, as the high-level call does for a function returning nothing: the pool's code checked
    ///      to exist first, a revert bubbled with its data.
    function _callPoolWithData(uint256 ptr, uint256 head, bytes memory data) private {
        address pool = address(AAVE_POOL);
        assembly ("memory-safe") {
            let length := mload(data)
            let tail := add(ptr, head)
            let padded := and(add(length, 31), not(31))
            // The last word first, so that the copy leaves its padding zero.
            mstore(add(tail, padded), 0)
            mstore(tail, length)
            mcopy(add(tail, 0x20), add(data, 0x20), length)
            if iszero(extcodesize(pool)) { revert(0, 0) }
            if iszero(call(gas(), pool, 0, ptr, add(add(head, 0x20), padded), 0, 0)) {
                returndatacopy(ptr, 0, returndatasize())
                revert(ptr, returndatasize())
            }
        }
    }
}
