import Foundation
import Testing
import PulseGraph
@testable import PulseHardware

@Suite struct TargetTests {
    @Test func everyShippedTargetLoadsWithSourcedConstants() throws {
        for name in Target.shippedNames {
            let target = try Target.named(name)
            #expect(target.name == name)
            #expect(target.clockHz.value > 0)
        }
        #expect(try Target.named("mcu").dataType == .int8)
        #expect(try Target.named("rpi3").dataType == .float32)
    }

    @Test func anUnknownTargetIsNamed() {
        #expect { try Target.named("pdp11") } throws: { error in
            (error as? TargetError)?.description.contains("pdp11") == true && (error as? TargetError)?.description.contains("mcu") == true
        }
    }

    /// The shipped mcu target's JSON with `edit` applied.
    static func editedMCU(_ edit: (inout [String: Any]) -> Void) throws -> Data {
        var object = try #require(try JSONSerialization.jsonObject(with: try Target.named("mcu").encoded()) as? [String: Any])
        edit(&object)
        return try JSONSerialization.data(withJSONObject: object)
    }

    @Test func aMissingFieldIsNamed() throws {
        let data = try Self.editedMCU { $0["clock_hz"] = nil }
        #expect(throws: TargetError(target: "my.json", field: "clock_hz", "is missing")) { try Target.decode(data, origin: "my.json") }
        let coefficient = try Self.editedMCU { object in
            var model = object["cost_model"] as? [String: Any] ?? [:]
            var coefficients = model["coefficients"] as? [String: Any] ?? [:]
            coefficients["cycles_per_output"] = nil
            model["coefficients"] = coefficients
            object["cost_model"] = model
        }
        #expect { try Target.decode(coefficient, origin: "my.json") } throws: { error in
            (error as? TargetError)?.field == "cost_model.coefficients.cycles_per_output"
        }
    }

    @Test func aNonPositiveOrNonFiniteConstantIsNamed() throws {
        let zero = try Self.editedMCU { object in
            var memory = object["memory"] as? [String: Any] ?? [:]
            memory["sram_bytes"] = ["value": 0, "source": "a typo"]
            object["memory"] = memory
        }
        #expect { try Target.decode(zero, origin: "my.json") } throws: { error in
            (error as? TargetError)?.field == "memory.sram_bytes.value"
        }
        var target = try Target.named("rpi3")
        target.clockHz.value = .infinity
        #expect { try target.validate(origin: "code") } throws: { error in (error as? TargetError)?.field == "clock_hz.value" }
        target.clockHz.value = -1
        #expect { try target.validate(origin: "code") } throws: { error in (error as? TargetError)?.field == "clock_hz.value" }
    }

    @Test func aConstantWithoutSourceOrAnUnknownModelIsRefused() throws {
        var target = try Target.named("stm32l4r5")
        target.clockHz.source = " "
        #expect { try target.validate(origin: "code") } throws: { error in (error as? TargetError)?.field == "clock_hz.source" }
        let unknown = try Self.editedMCU { object in object["cost_model"] = ["kind": "abacus", "coefficients": [:] as [String: Any]] }
        #expect { try Target.decode(unknown, origin: "my.json") } throws: { error in
            (error as? TargetError)?.description.contains("abacus") == true
        }
        #expect { try Target.decode(Data("{".utf8), origin: "broken.json") } throws: { error in
            (error as? TargetError)?.target == "broken.json"
        }
    }

    @Test func moreThreadsThanCoresAreRefused() throws {
        var target = try Target.named("rpi3")
        target.threads.value = 8
        #expect { try target.validate(origin: "code") } throws: { error in (error as? TargetError)?.field == "threads.value" }
    }

    @Test func aTargetRoundTripsThroughJSON() throws {
        for name in Target.shippedNames {
            let target = try Target.named(name)
            #expect(try Target.decode(target.encoded(), origin: name) == target)
        }
    }
}
