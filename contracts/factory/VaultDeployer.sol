// SPDX-License-Identifier: MIT
pragma solidity 0.8.28;

import {Create2} from "@openzeppelin/contracts/utils/Create2.sol";
import {IOracleModule} from "../interfaces/IOracleModule.sol";
import {IVaultDeployer} from "../interfaces/IVaultDeployer.sol";
import {IVaultManagement} from "../interfaces/IVaultManagement.sol";

/// @title VaultDeployer
/// @notice Deploys vaults from their creation code, kept as the runtime code of two data contracts written at
///         construction (SSTORE2-style): the code then weighs on no contract's code-size limit, only on the init code
///         of the venue's deployer. A venue subclass passes its vault's creation code and says how its markets decode.
abstract contract VaultDeployer is IVaultDeployer {
    /// @inheritdoc IVaultDeployer
    bytes32 public immutable VENUE;
    /// @dev Data contracts holding the first and second half of the vault's creation code after a STOP byte.
    address private immutable CODE_HEAD;
    address private immutable CODE_TAIL;

    /// @param creationCode the vault contract's creation code (`type(Vault).creationCode`)
    /// @param venue the venue's id, e.g. "aave-v3"
    constructor(bytes memory creationCode, bytes32 venue) {
        VENUE = venue;
        uint256 half = creationCode.length / 2;
        bytes memory head = new bytes(half);
        bytes memory tail = new bytes(creationCode.length - half);
        assembly ("memory-safe") {
            mcopy(add(head, 0x20), add(creationCode, 0x20), half)
            mcopy(add(tail, 0x20), add(add(creationCode, 0x20), half), mload(tail))
        }
        CODE_HEAD = _store(head);
        CODE_TAIL = _store(tail);
    }

    /// @inheritdoc IVaultDeployer
    function deploy(
        bytes32 salt,
        bytes calldata markets,
        IOracleModule.OracleConfig calldata oracle,
        string calldata name,
        string calldata symbol,
        address module,
        IVaultManagement.InitParams calldata params
    ) external returns (address) {
        bytes memory initCode = _initCode(_constructorArgs(markets, oracle, name, symbol, module, params));
        return Create2.deploy(0, _salt(msg.sender, salt), initCode);
    }

    /// @inheritdoc IVaultDeployer
    function predict(
        address caller,
        bytes32 salt,
        bytes calldata markets,
        IOracleModule.OracleConfig calldata oracle,
        string calldata name,
        string calldata symbol,
        address module,
        IVaultManagement.InitParams calldata params
    ) external view returns (address) {
        bytes memory initCode = _initCode(_constructorArgs(markets, oracle, name, symbol, module, params));
        return Create2.computeAddress(_salt(caller, salt), keccak256(initCode));
    }

    /// @dev The vault constructor's ABI-encoded arguments: the venue's Markets decoded from `markets`, then the rest.
    function _constructorArgs(
        bytes calldata markets,
        IOracleModule.OracleConfig calldata oracle,
        string calldata name,
        string calldata symbol,
        address module,
        IVaultManagement.InitParams calldata params
    ) internal pure virtual returns (bytes memory);

    function _salt(address caller, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(caller, salt));
    }

    /// @dev The vault's creation code read back from the data contracts, followed by the constructor arguments.
    function _initCode(bytes memory args) private view returns (bytes memory code) {
        address head = CODE_HEAD;
        address tail = CODE_TAIL;
        uint256 headSize = head.code.length - 1;
        uint256 tailSize = tail.code.length - 1;
        code = new bytes(headSize + tailSize + args.length);
        assembly ("memory-safe") {
            let dest := add(code, 0x20)
            extcodecopy(head, dest, 1, headSize)
            extcodecopy(tail, add(dest, headSize), 1, tailSize)
            mcopy(add(dest, add(headSize, tailSize)), add(args, 0x20), mload(args))
        }
    }

    /// @dev Creates a contract whose runtime code is a STOP byte followed by `data` (so it can never run).
    function _store(bytes memory data) private returns (address pointer) {
        // PUSH4 size, DUP1, PUSH1 14, PUSH1 0, CODECOPY, PUSH1 0, RETURN: returns the 1 + data bytes after it.
        bytes memory initCode = abi.encodePacked(hex"63", uint32(data.length + 1), hex"80600e6000396000f300", data);
        assembly ("memory-safe") {
            pointer := create(0, add(initCode, 0x20), mload(initCode))
        }
        if (pointer == address(0)) revert DeployerCodeStoreFailed();
    }
}
