"""The ECS actions that take a ClientToken, and setting one so a retried mutation runs once.

The list is every request model of alibabacloud-ecs20140526 7.11.8 with a ``client_token``
field (the test reads the installed SDK and fails when they part).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping

CLIENT_TOKEN_ACTIONS = frozenset({
    "AddBandwidthPackageIps", "AllocateDedicatedHosts", "AllocateEipAddress",
    "AssignIpv6Addresses", "AssignPrivateIpAddresses", "AssociateHaVip", "AuthorizeSecurityGroup",
    "AuthorizeSecurityGroupEgress", "CancelPhysicalConnection", "CloneDisks", "CopyImage",
    "CopySnapshot", "CreateActivation", "CreateAutoProvisioningGroup", "CreateCapacityReservation",
    "CreateCommand", "CreateDeploymentSet", "CreateDisk", "CreateElasticityAssurance",
    "CreateHaVip", "CreateHpcCluster", "CreateImage", "CreateImageComponent",
    "CreateImagePipeline", "CreateInstance", "CreateNatGateway", "CreateNetworkInterface",
    "CreatePhysicalConnection", "CreatePortRangeList", "CreatePrefixList", "CreateRouteEntry",
    "CreateRouterInterface", "CreateSecurityGroup", "CreateSnapshot", "CreateSnapshotGroup",
    "CreateStorageSet", "CreateVSwitch", "CreateVirtualBorderRouter", "CreateVpc", "CreateVsc",
    "DeleteHaVip", "DeleteHpcCluster", "DeleteInstances", "DeletePhysicalConnection",
    "DeleteRouterInterface", "DeleteStorageSet", "DeleteVirtualBorderRouter", "DeleteVsc",
    "DeregisterManagedInstance", "DescribeHpcClusters", "DescribePhysicalConnections",
    "DescribeStorageSetDetails", "DescribeStorageSets", "EnablePhysicalConnection", "ImportImage",
    "InvokeCommand", "LockSnapshot", "ModifyDedicatedHostsChargeType", "ModifyDiskChargeType",
    "ModifyElasticityAssurance", "ModifyHaVipAttribute", "ModifyHpcClusterAttribute",
    "ModifyInstanceChargeType", "ModifyInstanceClockOptions", "ModifyInstanceNetworkSpec",
    "ModifyInstanceSecurityOptions", "ModifyInstanceSpec", "ModifyInvocationAttribute",
    "ModifyPhysicalConnectionAttribute", "ModifyPortRangeList", "ModifyPrepayInstanceSpec",
    "ModifyRouterInterfaceSpec", "ModifySecurityGroupEgressRule", "ModifySecurityGroupPolicy",
    "ModifySecurityGroupRule", "ModifyStorageSetAttribute", "ModifyVirtualBorderRouterAttribute",
    "PurchaseReservedInstancesOffering", "PurchaseStorageCapacityUnit",
    "RecoverVirtualBorderRouter", "RemoveBandwidthPackageIps", "RenewDedicatedHosts",
    "RenewElasticityAssurances", "RenewInstance", "RenewReservedInstances", "ReplaceSystemDisk",
    "ResizeDisk", "RevokeSecurityGroup", "RevokeSecurityGroupEgress", "RunCommand", "RunInstances",
    "SendFile", "StartImagePipelineExecution", "StartTerminalSession",
    "TerminatePhysicalConnection", "TerminateVirtualBorderRouter", "UnassociateHaVip",
    "UnlockSnapshot"
})


def with_client_token(action: str, params: Mapping[str, str]) -> dict[str, str]:
    """``params`` with a fresh ClientToken when ``action`` takes one and none was given.

    The same token goes with every retry of the call, so the API runs it at most once.
    """
    chosen = dict(params)
    if action in CLIENT_TOKEN_ACTIONS and not chosen.get("ClientToken"):
        chosen["ClientToken"] = str(uuid.uuid4())
    return chosen
